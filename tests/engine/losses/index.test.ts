import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import {
  bindLoss,
  computeLoss,
  defaultLossFor,
  LOSS_NAMES,
  LOSSES,
  lossSupports,
  recordTypeOf,
  resolveLossParams,
  type LossName,
} from '../../../src/engine/losses';
import type { RecordType } from '../../../src/engine/records';
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
  it('lists every loss once, with the record types and defaults of the brief', () => {
    expect([...LOSS_NAMES].sort()).toEqual(['contrastive', 'cosent', 'cosine', 'mnrl', 'triplet', 'uniem-triplet']);
    for (const name of LOSS_NAMES) expect(LOSSES[name].name).toBe(name);
    expect(LOSSES.mnrl.defaults).toEqual({ scale: 20 });
    expect(LOSSES['uniem-triplet'].defaults).toEqual({ temperature: 0.05 });
    expect(LOSSES.cosent.defaults).toEqual({ scale: 20 });
    expect(LOSSES.triplet.defaults).toEqual({ margin: 5 });
    expect(LOSSES.contrastive.defaults).toEqual({ margin: 0.5 });
  });

  it('picks MNRL for pairs and triplets, CoSENT for scored pairs, and each default supports its type', () => {
    expect(defaultLossFor('pair')).toBe('mnrl');
    expect(defaultLossFor('triplet')).toBe('mnrl');
    expect(defaultLossFor('scored_pair')).toBe('cosent');
    for (const t of ['pair', 'triplet', 'scored_pair'] as RecordType[]) expect(lossSupports(defaultLossFor(t), t)).toBe(true);
  });

  it('knows which losses need negatives or labels', () => {
    expect(lossSupports('triplet', 'pair')).toBe(false);
    expect(lossSupports('uniem-triplet', 'triplet')).toBe(true);
    expect(lossSupports('cosent', 'pair')).toBe(false);
    expect(lossSupports('contrastive', 'scored_pair')).toBe(true);
    expect(lossSupports('mnrl', 'scored_pair')).toBe(false);
  });

  it('resolves parameters over the defaults and rejects bad ones', () => {
    expect(resolveLossParams('mnrl', { scale: 10 }).scale).toBe(10);
    expect(resolveLossParams('triplet').margin).toBe(5);
    expect(resolveLossParams('contrastive').margin).toBe(0.5);
    expect(thrown(() => resolveLossParams('uniem-triplet', { temperature: 0 })).message).toMatch(/temperature must be a finite number > 0/);
    expect(thrown(() => resolveLossParams('triplet', { margin: -1 })).code).toBe('bad_option');
  });
});

describe('computeLoss', () => {
  const cases: [LossName, (keyof typeof golden)[], number][] = [
    ['mnrl', ['anchor', 'positive'], golden.mnrl_pair_scale20],
    ['mnrl', ['anchor', 'positive', 'negative'], golden.mnrl_triplet_scale20],
    ['uniem-triplet', ['anchor', 'positive', 'negative'], golden['uniem_triplet_softmax_t0.05']],
    ['cosent', ['anchor', 'positive', 'labels'], golden.cosent_scale20],
    ['cosine', ['anchor', 'positive', 'labels'], golden.cosine_mse],
    ['triplet', ['anchor', 'positive', 'negative'], golden.triplet_margin5],
  ];

  it.each(cases)('%s on %j with default params matches the oracle', (name, keys, expected) => {
    const value = evalOnGolden((t) =>
      computeLoss(name, {
        anchor: t.anchor,
        positive: t.positive,
        negative: keys.includes('negative') ? t.negative : null,
        labels: keys.includes('labels') ? t.labels : null,
      }),
    );
    expect(relErr(value, expected)).toBeLessThan(REL_TOL);
  });

  it.each(cases)('%s bound once to its record type (bindLoss, as a run does) gives the same oracle value', (name, keys, expected) => {
    const type: RecordType = keys.includes('labels') ? 'scored_pair' : keys.includes('negative') ? 'triplet' : 'pair';
    const bound = bindLoss(name, {}, type);
    const value = evalOnGolden((t) =>
      bound({ anchor: t.anchor, positive: t.positive, negative: keys.includes('negative') ? t.negative : null, labels: keys.includes('labels') ? t.labels : null }),
    );
    expect(relErr(value, expected)).toBeLessThan(REL_TOL);
  });

  it('bindLoss refuses a record type the loss does not suit when it binds, not at the first batch', () => {
    expect(() => bindLoss('cosent', {}, 'pair')).toThrow(EngineError);
    expect(() => bindLoss('uniem-triplet', {}, 'pair')).toThrow(/needs a hard negative/);
  });

  it('passes parameters through', () => {
    const a = evalOnGolden((t) => computeLoss('mnrl', { anchor: t.anchor, positive: t.positive }, { scale: 5 }));
    expect(relErr(a, golden.mnrl_pair_scale20)).toBeGreaterThan(0.01);
  });

  it('says what is missing when the record type does not suit the loss', () => {
    tf.tidy(() => {
      const pair = { anchor: tf.ones([2, 3]) as tf.Tensor2D, positive: tf.ones([2, 3]) as tf.Tensor2D };
      const triplet = thrown(() => computeLoss('triplet', pair));
      expect(triplet.code).toBe('bad_option');
      expect(triplet.message).toMatch(/needs a hard negative.*text_neg.*pairs \(text, text_pos\).*'mnrl'/);
      const cosent = thrown(() => computeLoss('cosent', pair));
      expect(cosent.message).toMatch(/needs a similarity label.*label column/);
      const mnrl = thrown(() => computeLoss('mnrl', { ...pair, labels: tf.ones([2]) as tf.Tensor1D }));
      expect(mnrl.message).toMatch(/would ignore the labels.*scored pairs.*'cosent', 'cosine', 'contrastive'/);
    });
  });

  it('reads the record type off the batch', () => {
    tf.tidy(() => {
      const x = tf.ones([1, 2]) as tf.Tensor2D;
      const y = tf.ones([1]) as tf.Tensor1D;
      expect(recordTypeOf({ anchor: x, positive: x })).toBe('pair');
      expect(recordTypeOf({ anchor: x, positive: x, negative: x })).toBe('triplet');
      expect(recordTypeOf({ anchor: x, positive: x, labels: y })).toBe('scored_pair');
      expect(() => recordTypeOf({ anchor: x, positive: x, negative: x, labels: y })).toThrow(EngineError);
    });
  });

  it('rejects an unknown loss name', () => {
    tf.tidy(() => {
      const x = tf.ones([1, 2]) as tf.Tensor2D;
      expect(thrown(() => computeLoss('nope' as LossName, { anchor: x, positive: x })).message).toMatch(/Unknown loss 'nope'/);
    });
  });
});
