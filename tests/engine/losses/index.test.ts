import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import {
  bindLoss,
  defaultLossFor,
  defaultLossReason,
  lossDefaults,
  lossesFor,
  lossInputs,
  LOSS_NAMES,
  LOSSES,
  lossSupports,
  resolveLossParams,
  type LossName,
} from '../../../src/engine/losses';
import { RECORD_TYPES, type RecordType } from '../../../src/engine/records';
import { evalOnGolden, golden, relErr, REL_TOL } from './golden';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

describe('loss registry', () => {
  it('lists every loss once under its own name, each self-describing', () => {
    expect(LOSS_NAMES).toHaveLength(19);
    for (const name of LOSS_NAMES) {
      const d = LOSSES[name];
      expect(d.name).toBe(name);
      expect(d.label.length).toBeGreaterThan(3);
      expect(d.description.length).toBeGreaterThan(20);
      expect(d.recordTypes.length).toBeGreaterThan(0);
      expect(d.sentenceTransformers.className).toMatch(/^[A-Z]\w+$/);
      for (const spec of Object.values(d.params)) expect(spec!.pythonName).toMatch(/^[a-z_]+$/);
    }
  });

  it('has the defaults of sentence-transformers (and uniem)', () => {
    expect(lossDefaults('mnrl')).toEqual({ scale: 20 });
    expect(lossDefaults('uniem-triplet')).toEqual({ temperature: 0.05 });
    expect(lossDefaults('cosent')).toEqual({ scale: 20 });
    expect(lossDefaults('triplet')).toEqual({ margin: 5 });
    expect(lossDefaults('contrastive')).toEqual({ margin: 0.5 });
    expect(lossDefaults('online-contrastive')).toEqual({ margin: 0.5 });
    expect(lossDefaults('batch-hard-triplet')).toEqual({ margin: 5 });
    expect(lossDefaults('batch-hard-soft-margin-triplet')).toEqual({});
    expect(lossDefaults('mega-batch-margin')).toEqual({ positiveMargin: 0.8, negativeMargin: 0.3 });
    expect(lossDefaults('gist')).toMatchObject({ temperature: 0.01 });
    expect(lossDefaults('distill-kl')).toEqual({ temperature: 1 });
    expect(lossDefaults('softmax')).toEqual({});
  });

  it('picks the loss sentence-transformers advises for each shape, which trains it, and says why', () => {
    const expected: Record<RecordType, LossName> = {
      pair: 'mnrl',
      triplet: 'mnrl',
      group: 'mnrl',
      text: 'mnrl',
      scored_pair: 'cosent',
      class_pair: 'softmax',
      labelled_text: 'batch-all-triplet',
    };
    for (const t of RECORD_TYPES) {
      expect(defaultLossFor(t)).toBe(expected[t]);
      expect(lossSupports(defaultLossFor(t), t)).toBe(true);
      expect(lossesFor(t)[0]).toBe(expected[t]);
      expect(defaultLossReason(t).length).toBeGreaterThan(20);
    }
    expect(defaultLossFor('scored_pair', true)).toBe('online-contrastive');
    expect(defaultLossReason('scored_pair', true)).toMatch(/OnlineContrastive/);
  });

  it('every record type has at least one loss, and each loss lists only shapes it can read', () => {
    for (const t of RECORD_TYPES) expect(lossesFor(t).length).toBeGreaterThan(0);
    expect(lossSupports('triplet', 'pair')).toBe(false);
    expect(lossSupports('cosent', 'pair')).toBe(false);
    expect(lossSupports('mnrl', 'scored_pair')).toBe(false);
    expect(lossSupports('softmax', 'scored_pair')).toBe(false);
    expect(lossSupports('batch-all-triplet', 'pair')).toBe(false);
    expect(lossSupports('margin-mse', 'group')).toBe(true);
  });

  it('resolves parameters over the defaults and rejects values outside their range', () => {
    expect(resolveLossParams('mnrl', { scale: 10 }).scale).toBe(10);
    expect(resolveLossParams('triplet').margin).toBe(5);
    expect(thrown(() => resolveLossParams('uniem-triplet', { temperature: 0 })).message).toMatch(/temperature must be a finite number > 0, got 0\. Default: 0\.05/);
    expect(thrown(() => resolveLossParams('triplet', { margin: -1 })).code).toBe('bad_option');
  });
});

describe('bindLoss', () => {
  const cases: [LossName, RecordType, ('negative' | 'labels')[], number][] = [
    ['mnrl', 'pair', [], golden.mnrl_pair_scale20],
    ['mnrl', 'triplet', ['negative'], golden.mnrl_triplet_scale20],
    ['uniem-triplet', 'triplet', ['negative'], golden['uniem_triplet_softmax_t0.05']],
    ['cosent', 'scored_pair', ['labels'], golden.cosent_scale20],
    ['cosine', 'scored_pair', ['labels'], golden.cosine_mse],
    ['triplet', 'triplet', ['negative'], golden.triplet_margin5],
  ];

  it.each(cases)('%s bound to %s records matches the tiny-bert oracle', (name, type, has, expected) => {
    const bound = bindLoss(name, {}, type);
    const value = evalOnGolden((t) =>
      bound(lossInputs({ anchor: t.anchor, positive: t.positive, negatives: has.includes('negative') ? t.negative : null, labels: has.includes('labels') ? t.labels : null })),
    );
    expect(relErr(value, expected)).toBeLessThan(REL_TOL);
  });

  it('refuses a record type the loss does not suit when it binds, naming what fits', () => {
    const e = thrown(() => bindLoss('triplet', {}, 'pair'));
    expect(e.code).toBe('bad_option');
    expect(e.message).toMatch(/'triplet' loss .* trains on triplets .* but the dataset has pairs \(text, text_pos\)\. Pick a loss for this data \('mnrl'/);
    expect(thrown(() => bindLoss('mnrl', {}, 'scored_pair')).message).toMatch(/'cosent'/);
  });

  it('passes parameters through', () => {
    const a = evalOnGolden((t) => bindLoss('mnrl', { scale: 5 }, 'pair')(lossInputs({ anchor: t.anchor, positive: t.positive })));
    expect(relErr(a, golden.mnrl_pair_scale20)).toBeGreaterThan(0.01);
  });

  it('wraps a loss in Matryoshka widths, and refuses bad widths or a classifier loss', () => {
    const full = evalOnGolden((t) => bindLoss('mnrl', {}, 'pair')(lossInputs({ anchor: t.anchor, positive: t.positive })));
    const D = golden.anchor[0].length;
    const m = evalOnGolden((t) => bindLoss('mnrl', {}, 'pair', { matryoshka: { dims: [D] }, embeddingDim: D })(lossInputs({ anchor: t.anchor, positive: t.positive })));
    expect(relErr(m, full)).toBeLessThan(1e-5); // one width, the full one: cosines are unchanged by re-normalising
    const two = evalOnGolden((t) => bindLoss('mnrl', {}, 'pair', { matryoshka: { dims: [D, 2] }, embeddingDim: D })(lossInputs({ anchor: t.anchor, positive: t.positive })));
    expect(two).toBeGreaterThan(full);
    expect(thrown(() => bindLoss('mnrl', {}, 'pair', { matryoshka: { dims: [D + 1] }, embeddingDim: D })).code).toBe('bad_option');
    expect(thrown(() => bindLoss('softmax', {}, 'class_pair', { matryoshka: { dims: [2] }, embeddingDim: D })).message).toMatch(/classifier/);
  });

  it('rejects an unknown loss name', () => {
    expect(thrown(() => bindLoss('nope' as LossName, {}, 'pair')).message).toMatch(/Unknown loss 'nope'/);
  });
});
