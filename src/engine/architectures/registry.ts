/**
 * The model families the engine runs, keyed by config.json's model_type (transformers.js's registry idea). A new
 * family is a folder under architectures/ and one line here.
 */
import type { ModelConfig } from '../model/config';
import type { Architecture } from './architecture';
import { bert } from './bert';
import { gpt2 } from './gpt2';
import { mpnet } from './mpnet';
import { roberta } from './roberta';

/** Every family, in the order messages list them. */
export const ARCHITECTURES: readonly Architecture[] = [bert, roberta, mpnet, gpt2] as readonly Architecture[];

/** The Architecture of a parsed config. */
export function architectureOf(config: Pick<ModelConfig, 'family'>): Architecture {
  const arch = ARCHITECTURES.find((a) => a.family === config.family);
  if (!arch) throw new Error(`no architecture is registered for family ${config.family}`);
  return arch;
}
