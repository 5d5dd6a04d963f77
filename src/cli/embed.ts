/** `embed`: one text per line in, one JSON array of numbers per line out, in order. */
import { countNonFinite } from '../engine/model/finite';
import type { PromptConfig, TextRole } from '../engine/prompts';
import { describeValue } from '../engine/untrusted';
import { CliError, Flags, type FlagSpec } from './args';
import { checkInputFile, readTextFile, type CliIo } from './io';
import { backendChoice, DEFAULT_EMBED_BATCH, EMBED_BATCH_RANGE, headOverrides, MODEL_FLAGS, openModel } from './model';

export const EMBED_FLAGS: FlagSpec = { ...MODEL_FLAGS, input: { type: 'string' }, prompt: { type: 'string' } };

const PROMPT_ROLES = ['query', 'document', 'none'] as const;

/** --prompt, else the role of the folder's default_prompt_name (sentence-transformers' encode() applies it), else none. */
function embedRole(choice: (typeof PROMPT_ROLES)[number] | undefined, prompts: PromptConfig): TextRole {
  if (choice !== undefined) return choice === 'none' ? 'plain' : choice;
  const d = prompts.defaultPromptName;
  return d === null ? 'plain' : d === prompts.queryName ? 'query' : d === prompts.documentName ? 'document' : 'plain';
}

/**
 * The texts of a one-text-per-line file: a final empty line is ignored, an empty line elsewhere is an error.
 * Lines end with LF, CRLF or a lone CR (old Mac files; a CR-only file would otherwise be one text).
 */
export function textLines(content: string, path: string): string[] {
  const lines = content.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new CliError(`${path} (--input) holds no texts: write one text per line`);
  const blank = lines.findIndex((line) => line.trim() === '');
  if (blank >= 0) throw new CliError(`${path} (--input) line ${blank + 1} is empty: write one text per line, with no empty lines between them`);
  return lines;
}

export async function embedCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = Flags.parse('embed', argv, EMBED_FLAGS);
  const modelDir = flags.required('model');
  const input = flags.required('input');
  const head = headOverrides(flags);
  const promptChoice = flags.choice('prompt', PROMPT_ROLES);
  const batchSize = flags.number('batch-size', EMBED_BATCH_RANGE) ?? DEFAULT_EMBED_BATCH;
  const backend = backendChoice(flags);
  checkInputFile(input, '--input');
  const texts = textLines(await readTextFile(input, '--input'), input);

  const { encoder, files } = await openModel(modelDir, head, backend, io);
  const role = embedRole(promptChoice, files.sentenceTransformers.prompts);
  const started = performance.now();
  for (let start = 0; start < texts.length; start += batchSize) {
    const vectors = await encoder.embed(texts.slice(start, start + batchSize), { batchSize, role });
    // Checked before the batch is printed: JSON writes NaN and ±Infinity as null, a result no caller can use.
    const bad = vectors.findIndex((v) => countNonFinite(v).count > 0);
    if (bad >= 0) {
      const line = start + bad + 1;
      throw new CliError(
        `${input} (--input) line ${line} (${describeValue(texts[line - 1])}) embeds as NaN or infinite values: the model's weights overflow float32 (values near 1e38?), though each is finite. Use an intact copy of the model (--model ${modelDir})`,
      );
    }
    for (const v of vectors) io.out(JSON.stringify(Array.from(v)));
    await io.flush?.();
  }
  io.err(`embedded ${texts.length} texts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  encoder.dispose();
  return 0;
}
