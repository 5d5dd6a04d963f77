/**
 * The "Try it with transformers.js" check: the exported folder (the zip the export step produced, from memory)
 * loaded by transformers.js's `pipeline('feature-extraction', …)` exactly as a user would load it, run on the
 * engine's reference texts, and compared with the engine's embeddings and query scores.
 *
 * Nothing is fetched for the model: transformers.js reads every file through a custom cache whose `match()`
 * answers from the zip's bytes, and its `fetch` answers 404 for anything else (an optional file the folder
 * lacks), so a missing file can neither reach the network nor the dev server. The transformers.js module is a
 * parameter, so the worker imports it lazily and the Node tests pass the Node build.
 */
import { unzipSync } from 'fflate';
import { EngineError } from '../engine/errors';
import { cosine } from '../engine/eval/stats';
import type { PoolingMode } from '../engine/model/pooling';
import { ONNX_MODEL_PATH } from '../engine/onnx/paths';
import type { OnnxComparison, OnnxReference } from './protocol';

type Transformers = typeof import('@huggingface/transformers');

/** The pooling transformers.js's feature-extraction pipeline applies to `last_hidden_state`. */
export type PipelinePooling = 'mean' | 'cls';

/** The local path transformers.js is given; the cache answers for files under `<root><model id>/`. */
export const MEMORY_MODEL_ROOT = '/embedding-studio-memory/';

/** The files of the zip's one top folder, by path inside it. */
export function unzipModelFolder(zip: Uint8Array): Map<string, Uint8Array> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (e) {
    throw new EngineError('missing_file', `The exported zip could not be read (${e instanceof Error ? e.message : String(e)}): export the model again.`);
  }
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(entries)) {
    const slash = name.indexOf('/');
    const path = slash < 0 ? name : name.slice(slash + 1);
    if (path !== '' && !path.endsWith('/')) files.set(path, bytes);
  }
  if (!files.has(ONNX_MODEL_PATH)) {
    throw new EngineError('missing_file', `The exported zip has no ${ONNX_MODEL_PATH}: tick "Include ONNX model for transformers.js" and export again.`);
  }
  return files;
}

/** transformers.js's pooling for the engine's, or a clear error for the modes its pipeline does not have. */
export function pipelinePooling(pooling: PoolingMode): PipelinePooling {
  if (pooling === 'mean' || pooling === 'cls') return pooling;
  throw new EngineError(
    'bad_option',
    `This model pools with '${pooling}', which transformers.js's feature-extraction pipeline does not offer (it has 'mean' and 'cls'): the ONNX file is fine, but pool its last_hidden_state yourself, or train with mean or cls pooling to use the pipeline.`,
  );
}

/** The Web Cache API subset transformers.js's `env.customCache` needs, answering from the folder's bytes. */
export interface MemoryCache {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
}

/**
 * transformers.js looks a file up under its local path (`<root><model id>/<file>`) and under the Hub URL it would
 * download it from (its cache key, read back in Node); both are answered from memory, neither is fetched.
 */
export function memoryModelCache(files: ReadonlyMap<string, Uint8Array>, modelId: string): MemoryCache {
  const local = `${MEMORY_MODEL_ROOT}${modelId}/`;
  const hubKey = `/${modelId}/resolve/main/`;
  const pathOf = (request: string): string | null => {
    if (request.startsWith(local)) return request.slice(local.length);
    const at = request.indexOf(hubKey);
    return /^https:\/\//.test(request) && at >= 0 ? request.slice(at + hubKey.length) : null;
  };
  return {
    match: async (request) => {
      const path = pathOf(request);
      if (path === null) return undefined;
      const bytes = files.get(path);
      if (bytes === undefined) return undefined;
      return new Response(bytes.slice().buffer, { headers: { 'content-length': String(bytes.byteLength) } });
    },
    put: async () => undefined,
  };
}

/** Scores of the query (row 0) against each other row, and the largest differences, engine vs transformers.js. */
export function compareEmbeddings(reference: OnnxReference, onnx: Float32Array): Pick<OnnxComparison, 'query' | 'scores' | 'maxAbsEmbeddingDiff' | 'maxAbsScoreDiff'> {
  const { texts, vectors, dim } = reference;
  if (onnx.length !== vectors.length) {
    throw new EngineError('bad_config', `transformers.js returned ${onnx.length / texts.length} values per text, the engine ${dim}: the exported config.json and ONNX model disagree.`);
  }
  let maxAbsEmbeddingDiff = 0;
  for (let i = 0; i < onnx.length; i++) maxAbsEmbeddingDiff = Math.max(maxAbsEmbeddingDiff, Math.abs(onnx[i] - vectors[i]));
  const row = (data: Float32Array, i: number) => data.subarray(i * dim, (i + 1) * dim);
  const scores = texts.slice(1).map((text, k) => ({
    text,
    engine: cosine(row(vectors, 0), row(vectors, k + 1)),
    onnx: cosine(row(onnx, 0), row(onnx, k + 1)),
  }));
  const maxAbsScoreDiff = scores.reduce((m, s) => Math.max(m, Math.abs(s.engine - s.onnx)), 0);
  return { query: texts[0], scores, maxAbsEmbeddingDiff, maxAbsScoreDiff };
}

export interface CheckOptions {
  /**
   * The model id transformers.js sees; a new one for every export, because transformers.js memoizes a model's
   * config.json by id for the life of the worker.
   */
  modelId: string;
  /** The onnxruntime-web files, served by this app (in the browser); absent in Node. */
  wasmPaths?: { wasm: string; mjs: string };
  /** transformers.js device: 'wasm' in the browser, 'cpu' (onnxruntime-node) in Node. */
  device: 'wasm' | 'cpu';
  progress?: (label: string) => void;
}

/** Points transformers.js at the in-memory folder and at local runtime files; nothing may leave the machine. */
export function configureTransformers(t: Transformers, files: ReadonlyMap<string, Uint8Array>, options: CheckOptions): void {
  const { env } = t;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = MEMORY_MODEL_ROOT;
  env.useBrowserCache = false;
  env.useWasmCache = false; // it would import the runtime's .mjs from a blob: URL, which the page's CSP refuses
  env.useCustomCache = true;
  env.customCache = memoryModelCache(files, options.modelId);
  env.fetch = async () => new Response(null, { status: 404, statusText: 'not in the exported folder' });
  const wasm = env.backends.onnx.wasm;
  if (wasm && options.wasmPaths) {
    wasm.wasmPaths = { ...options.wasmPaths };
    wasm.numThreads = 1; // threads would need cross-origin isolation and worker scripts of their own
    wasm.proxy = false;
  }
}

/** Loads the exported folder in transformers.js, embeds the reference texts and compares with the engine. */
export async function runTransformersCheck(t: Transformers, zip: Uint8Array, reference: OnnxReference, options: CheckOptions): Promise<OnnxComparison> {
  const pooling = pipelinePooling(reference.pooling);
  const files = unzipModelFolder(zip);
  configureTransformers(t, files, options);
  options.progress?.('loading the ONNX model in transformers.js');
  const started = performance.now();
  // No dtype: config.json's transformers.js_config picks onnx/model.onnx, as it will for the user.
  const extractor = await t.pipeline('feature-extraction', options.modelId, { local_files_only: true, device: options.device });
  const loaded = performance.now();
  try {
    options.progress?.('embedding the texts with transformers.js');
    const output = await extractor(reference.texts, { pooling, normalize: reference.normalize });
    const embedMs = performance.now() - loaded;
    const onnx = output.data instanceof Float32Array ? output.data : Float32Array.from(output.data as ArrayLike<number>);
    return { ...compareEmbeddings(reference, onnx), runtime: runtimeName(t, options), loadMs: loaded - started, embedMs };
  } finally {
    await extractor.dispose();
  }
}

function runtimeName(t: Transformers, options: CheckOptions): string {
  const ort: { web?: string; node?: string } = t.env.backends.onnx.versions ?? {};
  const runtime = options.device === 'wasm' ? `onnxruntime-web ${ort.web ?? ''} (wasm, ${t.env.backends.onnx.wasm?.numThreads ?? 1} thread)` : `onnxruntime-node ${ort.node ?? ''} (cpu)`;
  return `transformers.js ${t.env.version} · ${runtime.replace(/\s+\(/, ' (')}`;
}
