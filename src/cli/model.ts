/**
 * Flags every command shares (model folder, embedding head, batch size, backend) and opening the model:
 * folder → backend → encoder, with one line on stderr describing what was loaded.
 */
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import type { SentenceEncoder } from '../engine/model/encoder';
import { encoderFromFiles, type HeadOverrides } from '../engine/model/load';
import type { PoolingMode } from '../engine/model/pooling';
import type { FlagSpec, Flags } from './args';
import { CLI_BACKENDS, DEFAULT_BACKEND, loadModel, startBackend, type CliBackend, type CliIo } from './io';

export const POOLING_CHOICES: readonly PoolingMode[] = ['mean', 'cls', 'max', 'last_weighted'];

/** Texts per forward pass when embedding or evaluating. */
export const DEFAULT_EMBED_BATCH = 32;

export const MODEL_FLAGS: FlagSpec = {
  model: { type: 'string' },
  pooling: { type: 'string' },
  normalize: { type: 'boolean' },
  'no-normalize': { type: 'boolean' },
  'max-length': { type: 'string' },
  'batch-size': { type: 'string' },
  backend: { type: 'string' },
};

/** The embedding head the flags ask for; unset fields keep the folder's settings. */
export function headOverrides(flags: Flags): HeadOverrides {
  flags.exclusive('normalize', 'no-normalize');
  const pooling = flags.choice('pooling', POOLING_CHOICES);
  const maxSeqLength = flags.number('max-length', { integer: true, min: 2 });
  const normalize = flags.bool('normalize') ? true : flags.bool('no-normalize') ? false : undefined;
  return {
    ...(pooling !== undefined ? { pooling } : {}),
    ...(maxSeqLength !== undefined ? { maxSeqLength } : {}),
    ...(normalize !== undefined ? { normalize } : {}),
  };
}

export function backendChoice(flags: Flags): CliBackend {
  return flags.choice('backend', CLI_BACKENDS) ?? DEFAULT_BACKEND;
}

export interface OpenedModel {
  files: LoadedModelFiles;
  encoder: SentenceEncoder;
  backend: string;
}

/** Loads the folder, starts the backend, builds the encoder; describes the result on stderr. */
export async function openModel(dir: string, head: HeadOverrides, backend: CliBackend, io: CliIo, files?: LoadedModelFiles): Promise<OpenedModel> {
  const loaded = files ?? (await loadModel(dir));
  const name = await startBackend(backend);
  const encoder = encoderFromFiles(loaded, head);
  const c = loaded.config;
  const h = encoder.head;
  io.err(
    `model: ${dir}: ${c.numHiddenLayers} layers, hidden ${c.hiddenSize}; pooling ${h.pooling}${h.normalize ? ', normalized' : ''}, ` +
      `max length ${h.maxSeqLength}; backend ${name}`,
  );
  return { files: loaded, encoder, backend: name };
}
