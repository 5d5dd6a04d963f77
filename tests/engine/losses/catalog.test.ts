import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Flags } from '../../../src/cli/args';
import { runOptionsFor, TRAIN_FLAGS, trainFlags } from '../../../src/cli/trainOptions';
import { batchOrderFor, LOSS_NAMES, LOSSES, type LossName } from '../../../src/engine/losses/catalog';
import type { BatchOrder } from '../../../src/engine/train/options';
import { DEFAULT_SETTINGS, settingsToOptions } from '../../../src/ui/store/settingsSlice';

/** sentence-transformers: NO_DUPLICATES where the other rows of a batch are negatives, BATCH_SAMPLER (a plain shuffle) otherwise. */
const EXPECTED: Record<LossName, BatchOrder> = {
  mnrl: 'no_duplicates',
  'mnrl-symmetric': 'no_duplicates',
  'mnrl-gte': 'no_duplicates',
  'uniem-triplet': 'no_duplicates',
  gist: 'no_duplicates',
  'mega-batch-margin': 'no_duplicates',
  cosent: 'shuffle',
  angle: 'shuffle',
  cosine: 'shuffle',
  triplet: 'shuffle',
  contrastive: 'shuffle',
  'online-contrastive': 'shuffle',
  softmax: 'shuffle',
  'margin-mse': 'shuffle',
  'distill-kl': 'shuffle',
  'batch-all-triplet': 'group_by_label',
  'batch-hard-triplet': 'group_by_label',
  'batch-semi-hard-triplet': 'group_by_label',
  'batch-hard-soft-margin-triplet': 'group_by_label',
};

const cliOrder = (loss: LossName, ...argv: string[]) => runOptionsFor(trainFlags(Flags.parse('train', ['--loss', loss, ...argv], TRAIN_FLAGS)), loss, 0).batchOrder;
const pageOrder = (loss: LossName) => settingsToOptions({ ...DEFAULT_SETTINGS, loss }, 10).batchOrder;

describe('batch order per loss', () => {
  it('covers every loss', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...LOSS_NAMES].sort());
  });

  it.each(LOSS_NAMES.map((loss) => [loss, EXPECTED[loss]] as const))('%s: the studio and the CLI both shuffle with %s', (loss, order) => {
    expect(LOSSES[loss].batchOrder).toBe(order);
    expect(batchOrderFor(loss)).toBe(order);
    expect(pageOrder(loss)).toBe(order);
    expect(cliOrder(loss)).toBe(order);
    expect(cliOrder(loss, '--no-shuffle')).toBe('sequential');
  });
});

/** The relative modules `file` imports as values (type-only imports are erased), and any package it names. */
function valueImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^import\s+(?!type\s)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
}

describe('loss catalog', () => {
  it('loads no tf.js, so the page can read it', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of valueImports(file)) {
        if (spec.startsWith('.')) walk(resolve(dirname(file), `${spec}.ts`));
        else packages.add(spec);
      }
    };
    walk(fileURLToPath(new URL('../../../src/engine/losses/catalog.ts', import.meta.url)));
    expect([...packages].filter((p) => p.startsWith('@tensorflow'))).toEqual([]);
    expect(seen.size).toBeGreaterThan(1);
  });
});
