/**
 * Flags every command shares (model folder, embedding head, batch size, backend) and opening the model:
 * folder → backend → encoder, with one line on stderr describing what was loaded. Errors about the folder name
 * --model and the folder.
 */
import type { LoadedModelFiles, ModelFilesBeforeWeights } from '../engine/io/modelFolder';
import type { SentenceEncoder } from '../engine/model/encoder';
import { encoderFromFiles, tokenizerOf, type HeadOverrides } from '../engine/model/load';
import { POOLING_MODES } from '../engine/model/poolingMode';
import { checkPrompt, hasPrompts, type Prompts } from '../engine/prompts';
import { describeValue } from '../engine/untrusted';
import { OPTION_RANGES } from '../engine/train/options';
import { CliError, type FlagSpec, type Flags } from './args';
import { CLI_BACKENDS, DEFAULT_BACKEND, loadModel, modelFolderError, startBackend, type CliBackend, type CliIo } from './io';

/** Texts per forward pass when embedding or evaluating. */
export const DEFAULT_EMBED_BATCH = 32;

/** --batch-size of embed and eval. */
export const EMBED_BATCH_RANGE = { ...OPTION_RANGES.batchSize, typical: String(DEFAULT_EMBED_BATCH) } as const;

/** --max-length before the model is known; `checkMaxLength` then holds it against the model. */
const MAX_LENGTH_RANGE = { integer: true, min: 2, max: 1_000_000, typical: '256' } as const;

export const MODEL_FLAGS: FlagSpec = {
  model: { type: 'string' },
  pooling: { type: 'string' },
  normalize: { type: 'boolean' },
  'no-normalize': { type: 'boolean' },
  'max-length': { type: 'string' },
  'batch-size': { type: 'string' },
  backend: { type: 'string' },
  'query-prompt': { type: 'string' },
  'document-prompt': { type: 'string' },
};

/** The embedding head the flags ask for; unset fields keep the folder's settings. */
export function headOverrides(flags: Flags): HeadOverrides {
  flags.exclusive('normalize', 'no-normalize');
  const pooling = flags.choice('pooling', POOLING_MODES);
  const maxSeqLength = flags.number('max-length', MAX_LENGTH_RANGE);
  const normalize = flags.bool('normalize') ? true : flags.bool('no-normalize') ? false : undefined;
  const prompts = promptFlags(flags);
  return {
    ...(pooling !== undefined ? { pooling } : {}),
    ...(maxSeqLength !== undefined ? { maxSeqLength } : {}),
    ...(normalize !== undefined ? { normalize } : {}),
    ...(Object.keys(prompts).length > 0 ? { prompts } : {}),
  };
}

/** --query-prompt / --document-prompt, checked ('' turns a prompt the folder names off). */
function promptFlags(flags: Flags): Partial<Prompts> {
  const out: Partial<Prompts> = {};
  for (const [flag, key] of [['query-prompt', 'query'], ['document-prompt', 'document']] as const) {
    const v = flags.string(flag);
    if (v === undefined) continue;
    try {
      out[key] = checkPrompt(v, `--${flag}`);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : `--${flag} is not a usable prompt`);
    }
  }
  return out;
}

/** The prompts of an encoder's head, for the line that describes the model ('' when none). */
export function describePrompts(prompts: Prompts | undefined): string {
  if (!prompts || !hasPrompts(prompts)) return '';
  const quote = (p: string) => (p === '' ? 'none' : describeValue(p, 60));
  return `; prompts: query ${quote(prompts.query)}, document ${quote(prompts.document)}`;
}

export function backendChoice(flags: Flags): CliBackend {
  return flags.choice('backend', CLI_BACKENDS) ?? DEFAULT_BACKEND;
}

export interface OpenedModel {
  files: LoadedModelFiles;
  encoder: SentenceEncoder;
  backend: string;
}

/**
 * Refuses a --max-length the model cannot take, naming the flag and the folder: longer than config.json's
 * max_position_embeddings, or no longer than the special tokens the tokenizer adds to every text. Runs from
 * loadModel's beforeWeights hook, so the weights are not read for nothing.
 */
export function checkMaxLength(files: ModelFilesBeforeWeights, head: HeadOverrides, dir: string): void {
  const n = head.maxSeqLength;
  if (n === undefined) return;
  const c = files.config;
  const positions = c.maxTokens;
  if (n > positions) {
    const held = positions === c.maxPositionEmbeddings ? '' : ` (${positions} tokens: its positions start at ${c.maxPositionEmbeddings - positions})`;
    throw new CliError(`--max-length ${n} is longer than the model in ${dir} can read: its config.json has max_position_embeddings ${c.maxPositionEmbeddings}${held}; use --max-length ${positions} or less`);
  }
  const tokenizer = tokenizerOf(files);
  const specials = tokenizer.specialPrefix + tokenizer.specialSuffix;
  if (n <= specials) {
    throw new CliError(
      `--max-length ${n} leaves no room for text: the tokenizer in ${dir} adds ${specials} special tokens to every text; use --max-length ${specials + 1} or more (typical: ${Math.min(256, positions)})`,
    );
  }
}

/** Loads the folder, starts the backend, builds the encoder; describes the result on stderr. */
export async function openModel(dir: string, head: HeadOverrides, backend: CliBackend, io: CliIo, files?: LoadedModelFiles): Promise<OpenedModel> {
  const loaded = files ?? (await loadModel(dir, { beforeWeights: (f) => checkMaxLength(f, head, dir) }));
  const name = await startBackend(backend);
  let encoder: SentenceEncoder;
  try {
    encoder = encoderFromFiles(loaded, head);
  } catch (e) {
    throw modelFolderError(e, dir);
  }
  const c = loaded.config;
  const h = encoder.head;
  io.err(
    `model: ${dir}: ${encoder.arch.label} (${c.modelType}), ${c.numHiddenLayers} layers, hidden ${c.hiddenSize}; pooling ${h.pooling}${h.normalize ? ', normalized' : ''}, ` +
      `max length ${h.maxSeqLength}${describePrompts(h.prompts)}; weights ${loaded.weightsFile}` +
      `${loaded.tokenizerBuiltFrom ? `, tokenizer built from ${loaded.tokenizerBuiltFrom}` : ''}; backend ${name}`,
  );
  return { files: loaded, encoder, backend: name };
}
