/** Copies of the tiny BERT with non-finite values written into one tensor, for the tests of the load-time check. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../../src/engine/io/safetensors';
import { TINY_BERT_DIR } from './tinyBert';

/** Copies the tiny BERT to `dir` with `values` written into tensor `name` from index 3 on; returns `dir`. */
export function poisonedTinyBert(dir: string, name: string, values: number[]): string {
  cpSync(TINY_BERT_DIR, dir, { recursive: true });
  const tensors = readSafetensors(readFileSync(join(dir, 'model.safetensors')));
  const poisoned = new Map([...tensors].map(([n, t]) => [n, { shape: t.shape, data: t.data.slice() }]));
  (poisoned.get(name) as { data: Float32Array }).data.set(values, 3);
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(poisoned));
  return dir;
}
