import { describe, expect, it } from 'vitest';
import { Flags } from '../../src/cli/args';
import { checkLossParams, runOptionsFor, TRAIN_FLAGS, trainFlags } from '../../src/cli/trainOptions';
import type { LossName } from '../../src/engine/losses/catalog';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';

const parse = (...argv: string[]) => trainFlags(Flags.parse('train', argv, TRAIN_FLAGS));

describe('train flags', () => {
  it('defaults to the engine defaults', () => {
    const { options, shuffle, valSplit, logEvery } = parse();
    expect(options).toEqual({ ...DEFAULT_TRAINING_OPTIONS, lossParams: {} });
    expect(options).toMatchObject({ length: { kind: 'epochs', epochs: 1 }, batchSize: 32, learningRate: 2e-5, warmup: { kind: 'ratio', ratio: 0.1 }, weightDecay: 0.01, maxGradNorm: 1, dropout: 'config', seed: 42 });
    expect([shuffle, valSplit, logEvery]).toEqual([true, null, null]);
  });

  it('maps every flag onto TrainingOptions', () => {
    const { options, shuffle, valSplit } = parse(
      '--steps', '7', '--batch-size', '4', '--grad-accum', '2', '--lr', '1e-3', '--warmup-steps', '0', '--weight-decay', '0', '--max-grad-norm', '0',
      '--dropout', '0', '--seed', '3', '--no-shuffle', '--loss', 'cosent', '--scale', '10', '--strategy', 'bitfit', '--freeze-embeddings',
      '--freeze-layers', '1', '--val-split', '0.2',
    );
    expect(options).toMatchObject({
      loss: 'cosent', lossParams: { scale: 10 }, length: { kind: 'steps', steps: 7 }, batchSize: 4, gradAccumSteps: 2, learningRate: 1e-3,
      warmup: { kind: 'steps', steps: 0 }, weightDecay: 0, maxGradNorm: 0, dropout: 0, seed: 3,
      strategy: { kind: 'bitfit', freezeEmbeddings: true, freezeLayers: 1 },
    });
    expect([shuffle, valSplit]).toEqual([false, 0.2]);
    expect(parse('--warmup-ratio', '0.5').options.warmup).toEqual({ kind: 'ratio', ratio: 0.5 });
  });

  it('refuses out-of-range values at their edges', () => {
    expect(() => parse('--dropout', '1')).toThrow("--dropout must be a number ≥ 0 and < 1 (typical: 0.1), not '1'");
    expect(parse('--dropout', '0').options.dropout).toBe(0);
    expect(() => parse('--val-split', '0')).toThrow(/--val-split must be a number > 0 and < 1/);
    expect(() => parse('--scale', '0')).toThrow(/--scale must be a number > 0/);
    expect(() => parse('--steps', '1.5')).toThrow(/--steps must be a whole number ≥ 1/);
    expect(() => parse('--warmup-steps', '1', '--warmup-ratio', '0.1')).toThrow(/exclude each other/);
  });

  it('refuses absurd values, naming the flag, the value, the range and a typical value', () => {
    expect(() => parse('--lr', '1e308')).toThrow("--lr must be a number ≥ 0 and ≤ 1 (typical: 2e-5), not '1e308'");
    expect(() => parse('--lr', '1e400')).toThrow("--lr must be a number ≥ 0 and ≤ 1 (typical: 2e-5), not '1e400' (too large: it reads as Infinity)");
    expect(() => parse('--lr=-0.001')).toThrow("--lr must be a number ≥ 0 and ≤ 1 (typical: 2e-5), not '-0.001'");
    expect(() => parse('--lr', '-0.001')).toThrow("--lr needs a value; a value that starts with a dash is written --lr=-VALUE (see 'train --help')");
    expect(() => parse('--lr', 'NaN')).toThrow("--lr must be a number ≥ 0 and ≤ 1 (typical: 2e-5), not 'NaN'");
    expect(() => parse('--weight-decay', '1e308')).toThrow("--weight-decay must be a number ≥ 0 and ≤ 1 (typical: 0.01), not '1e308'");
    expect(() => parse('--epochs', '1e9')).toThrow("--epochs must be a whole number ≥ 1 and ≤ 10000 (typical: 1), not '1e9'");
    expect(() => parse('--batch-size', '1e12')).toThrow("--batch-size must be a whole number ≥ 1 and ≤ 65536 (typical: 32), not '1e12'");
    expect(() => parse('--warmup-steps', '1e9')).toThrow("--warmup-steps must be a whole number ≥ 0 and ≤ 10000000 (typical: 100), not '1e9'");
    expect(() => parse('--warmup-steps=-1')).toThrow('--warmup-steps must be a whole number ≥ 0');
    expect(() => parse('--warmup-ratio', '1.5')).toThrow("--warmup-ratio must be a number ≥ 0 and ≤ 1 (typical: 0.1), not '1.5'");
    expect(() => parse('--max-grad-norm', '1e400')).toThrow('--max-grad-norm must be a number ≥ 0 and ≤ 1000000 (typical: 1)');
    expect(() => parse('--grad-accum', '0')).toThrow('--grad-accum must be a whole number ≥ 1 and ≤ 10000');
    expect(() => parse('--seed', '1e20')).toThrow('--seed must be a whole number ≥ 0 and ≤ 4294967295 (typical: 42)');
    expect(() => parse('--loss', 'mnrl', '--scale', '1e308')).toThrow("--scale must be a number > 0 and ≤ 1000 (typical: 20), not '1e308'");
    expect(() => parse('--loss', 'uniem-triplet', '--temperature', '1e-300')).toThrow('--temperature must be a number ≥ 0.001 and ≤ 100 (typical: 0.05)');
    expect(() => parse('--mini-batch=-4')).toThrow('--mini-batch must be a whole number ≥ 0 and ≤ 65536');
    expect(() => parse('--freeze-layers', '1e6')).toThrow('--freeze-layers must be a whole number ≥ 0 and ≤ 1000');
    expect(() => parse('--log-every', '0')).toThrow('--log-every must be a whole number ≥ 1');
  });

  it('never echoes a huge value whole', () => {
    const huge = '9'.repeat(100_000);
    let message = '';
    try {
      parse('--lr', huge);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^--lr must be a number ≥ 0 and ≤ 1 \(typical: 2e-5\), not "9{40}…" \(100,000 characters\)/);
    expect(message.length).toBeLessThan(200);
  });

  it('orders batches sequentially with --no-shuffle, without duplicates for in-batch-negative losses', () => {
    const order = (loss: LossName, ...argv: string[]) => runOptionsFor(parse(...argv), loss, 0).batchOrder;
    expect(order('mnrl', '--no-shuffle')).toBe('sequential');
    expect(order('mnrl')).toBe('no_duplicates');
    expect(order('uniem-triplet')).toBe('no_duplicates');
    expect(order('cosent')).toBe('shuffle');
    expect(runOptionsFor(parse('--loss', 'auto'), 'cosent', 50)).toMatchObject({ loss: 'cosent', batchOrder: 'shuffle', checkpointEverySteps: 50 });
  });

  it('refuses loss parameters the loss would ignore', () => {
    expect(() => checkLossParams('mnrl', { scale: 5 })).not.toThrow();
    expect(() => checkLossParams('cosine', { scale: 5 })).toThrow("--scale does not apply to the 'cosine' loss (it takes no parameters)");
    expect(() => checkLossParams('triplet', { temperature: 1 })).toThrow(/it takes --margin/);
  });
});
