/** Evaluation, queries and exports: evaluate, embedQuery, export, onnxReference (the transformers.js check), exportRecipe. */
import { ONNX_MODEL_PATH } from '../../engine/onnx/paths';
import type { ExportResult, PlaygroundCorpus, RecipeResult } from '../../worker/protocol';
import { settingsPrompts, settingsToOptions } from '../store/settingsSlice';
import type { TransformersClient } from '../transformersClient';
import type { Routes } from './channel';
import type { BridgeContext } from './context';

/** Corpus texts the transformers.js check embeds next to the query. */
const ONNX_CHECK_TEXTS = 8;

export class ExportFeature {
  /** The last export's zip when it holds the ONNX model (the transformers.js check loads it from memory). */
  private onnxZip: Blob | null = null;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly transformers: TransformersClient | null,
  ) {}

  routes(): Pick<Routes, 'evaluate' | 'embedQuery' | 'export' | 'publish' | 'onnxReference' | 'exportRecipe'> {
    const s = () => this.ctx.s();
    return {
      evaluate: {
        progress: (progress) => s().evaluationProgress(progress),
        done: (r) => s().evaluationReceived(r.evaluation),
        failed: (message) => s().evaluationFailed(message),
      },
      embedQuery: {
        done: (r) => s().rankingReceived(r),
        failed: (message) => s().queryFailed(message),
      },
      export: {
        progress: (progress) => s().exportProgress(progress),
        done: (r) => this.exported(r),
        failed: (message) => s().exportFailed(message),
      },
      publish: {
        progress: (progress) => s().publishProgress(progress),
        done: (r) => (r.ok ? s().publishDone({ repoId: r.repoId, url: r.url, created: r.created }) : s().publishFailed(r.message, r.reason)),
        failed: (message) => s().publishFailed(message, null),
      },
      onnxReference: {
        progress: (progress) => s().onnxCheckProgress(progress.label),
        failed: (message) => s().onnxCheckFailed(message),
      },
      exportRecipe: {
        done: (r) => this.recipe(r),
        failed: (message) => s().recipeFailed(message),
      },
    };
  }

  private exported(r: ExportResult): void {
    const { s, page } = this.ctx;
    const old = s().exporting.last;
    if (old) page.revokeUrl(old.url);
    const blob = new Blob([r.zip], { type: 'application/zip' });
    const url = page.createUrl(blob);
    this.onnxZip = r.files.includes(ONNX_MODEL_PATH) ? blob : null;
    s().exportReady({ fileName: r.fileName, url, files: r.files, sizeBytes: r.zip.byteLength });
    page.download(url, r.fileName);
  }

  private recipe(r: RecipeResult): void {
    const { s, page } = this.ctx;
    const old = s().recipe.last;
    if (old) page.revokeUrl(old.url);
    const url = page.createUrl(new Blob([r.zip], { type: 'application/zip' }));
    s().recipeReady({ fileName: r.fileName, url, files: r.files, sizeBytes: r.zip.byteLength });
    page.download(url, r.fileName);
  }

  /** Evaluates the base model and, once trained, the fine-tuned one. */
  async evaluate(): Promise<void> {
    const { ctx } = this;
    ctx.s().evaluationRequested();
    const base = await ctx.fire({ type: 'evaluate', which: 'base' });
    if (base === null) return;
    if (ctx.s().training.steps.length > 0 && (await ctx.fire({ type: 'evaluate', which: 'trained' })) === null) return;
    ctx.s().evaluationDone();
  }

  async query(text: string, limit = 8): Promise<void> {
    this.ctx.s().queryRequested(text);
    const { corpus: kind, pasted } = this.ctx.s().playground;
    const corpus: PlaygroundCorpus = kind === 'pasted' ? { kind, texts: pasted.split('\n') } : { kind };
    await this.ctx.fire({ type: 'embedQuery', text, limit, corpus });
  }

  async exportModel(modelName: string): Promise<void> {
    this.ctx.s().exportRequested();
    const license = this.ctx.s().publishing.license.trim().toLowerCase() || null;
    const { includeOnnx, weights } = this.ctx.s().exporting;
    await this.ctx.fire({ type: 'export', card: { modelName, license }, onnx: includeOnnx, weights });
  }

  /**
   * Publishes the folder the export builds to the Hub with the form's repo, visibility and license and the
   * model step's token (sent to the Hub only).
   */
  async publish(modelName: string): Promise<void> {
    const { ctx } = this;
    const p = ctx.s().publishing;
    const token = ctx.hubToken();
    if (token === null) return ctx.s().publishFailed('Publishing needs a Hugging Face access token with write access: paste one in the token field (create it at huggingface.co/settings/tokens).', 'token_missing');
    ctx.s().publishRequested();
    const license = p.license.trim() === '' ? null : p.license.trim().toLowerCase();
    await ctx.fire({ type: 'publish', card: { modelName, license }, onnx: ctx.s().exporting.includeOnnx, weights: ctx.s().exporting.weights, repo: p.repo, private: p.private, token, allowUpdate: p.allowUpdate });
  }

  cancelPublish(): void {
    const target = this.ctx.pendingId('publish');
    if (target !== undefined) void this.ctx.fire({ type: 'cancel', target });
  }

  /** The encoder changes (new run, model or split): the exported ONNX model no longer stands for it. */
  forgetOnnxExport(): void {
    this.onnxZip = null;
    this.ctx.s().onnxCheckReset();
  }

  /** Embeds `query` and its top corpus texts with the engine and with transformers.js on the exported ONNX model. */
  async tryOnnx(query: string): Promise<void> {
    const { ctx } = this;
    if (this.onnxZip === null) return ctx.s().onnxCheckFailed('Export the model with "Include ONNX model for transformers.js" ticked first.');
    if (this.transformers === null) return ctx.s().onnxCheckFailed('transformers.js cannot run on this page.');
    const zip = this.onnxZip;
    ctx.s().onnxCheckRequested();
    const r = await ctx.fire({ type: 'onnxReference', query, limit: ONNX_CHECK_TEXTS });
    if (r === null) return;
    try {
      ctx.s().onnxCheckReady(await this.transformers.compare(zip, r.reference, (label) => ctx.s().onnxCheckProgress(label)));
    } catch (e) {
      ctx.s().onnxCheckFailed(`transformers.js could not run the exported model: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A sentence-transformers training recipe of the run (the form's settings when nothing has trained yet). */
  async exportRecipe(folderName: string): Promise<void> {
    const { ctx } = this;
    const { settings, mapping } = ctx.s();
    ctx.s().recipeRequested();
    const plan = ctx.planner.known() ?? (mapping.summary === null ? null : await ctx.planner.request());
    const options = settingsToOptions(settings, plan?.totalSteps ?? 0);
    await ctx.fire({ type: 'exportRecipe', folderName, options, maxLength: settings.maxLength, prompts: settingsPrompts(settings) });
  }
}
