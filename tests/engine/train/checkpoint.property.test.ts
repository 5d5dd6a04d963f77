/**
 * Damaged or forged checkpoint files: truncations, flipped bytes, forged training state, tensor names that try
 * Object.prototype, optimizer state with a moment missing, weights of another model. Each is an EngineError
 * naming the file; none pollutes prototypes or escapes as another exception.
 */
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { writeSafetensors } from '../../../src/engine/io/safetensors';
import { checkCheckpointFits, deserializeCheckpoint, serializeCheckpoint, type TrainingCheckpoint } from '../../../src/engine/train/checkpoint';

const FILE = 'runs/a/checkpoint.safetensors';
const w = (shape: number[], v = 0.5) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });

const CKPT: TrainingCheckpoint = {
  step: 2,
  totalSteps: 5,
  lossHistory: [1.5, 1.25],
  runKey: 'pair-20-abc-def',
  weights: new Map([['a.weight', w([2, 3])], ['a.bias', w([3])]]),
  optimizer: {
    step: 2,
    moments: {
      'a.weight': { m: new Float32Array(6).fill(0.1), v: new Float32Array(6).fill(0.2), shape: [2, 3], step: 2 },
      'a.bias': { m: new Float32Array(3).fill(0.3), v: new Float32Array(3).fill(0.4), shape: [3], step: 2 },
    },
  },
};
const BYTES = serializeCheckpoint(CKPT);
const STATE = { step: 2, totalSteps: 5, lossHistory: [1.5, 1.25], runKey: 'k', optimizerStep: 2, steps: { 'a.bias': 2 } };

function failure(bytes: Uint8Array): EngineError | null {
  try {
    deserializeCheckpoint(bytes, FILE);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).message.startsWith(`${FILE}`)).toBe(true);
    return e as EngineError;
  }
}

function forged(tensors: Record<string, { shape: number[]; data: Float32Array }>, state: unknown = STATE): Uint8Array {
  return writeSafetensors(tensors, { embedding_studio: 'embedding-studio-checkpoint-1', training_state: JSON.stringify(state) });
}

describe('deserializeCheckpoint on damaged files (property)', () => {
  it('round-trips', () => {
    const back = deserializeCheckpoint(BYTES, FILE);
    expect(back).toMatchObject({ step: 2, totalSteps: 5, lossHistory: [1.5, 1.25], runKey: CKPT.runKey });
    expect(back.optimizer.moments['a.bias'].v).toEqual(CKPT.optimizer.moments['a.bias'].v);
  });

  it('any truncation or flipped byte is refused naming the file, or reads as a checkpoint', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, value, truncate) => {
        const i = at % BYTES.length;
        if (truncate) expect(failure(BYTES.subarray(0, i))).not.toBeNull();
        else {
          const copy = BYTES.slice();
          copy[i] = value;
          failure(copy);
        }
      }),
      runs(500),
    );
  });

  it('forged training state: wrong types, steps that do not match the history', () => {
    const bad = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({ step: fc.oneof(fc.integer({ min: -3, max: 9 }), fc.double()), totalSteps: fc.integer({ min: 0, max: 9 }), lossHistory: fc.array(fc.double(), { maxLength: 4 }), runKey: fc.string(), optimizerStep: fc.nat(), steps: fc.constant({}) }),
    );
    fc.assert(
      fc.property(bad, (state) => {
        const err = failure(forged({ 'weight/a.bias': w([3]) }, state));
        if (err === null) {
          const s = state as { step: number; totalSteps: number; lossHistory: number[] };
          expect(Number.isInteger(s.step) && s.step <= s.totalSteps && s.lossHistory.length === s.step).toBe(true);
        } else expect(err.message).toMatch(/is not a usable training checkpoint: .*\. Delete it and start the run again\.$/);
      }),
      runs(300),
    );
  });

  it("a tensor named 'adam_m/__proto__' stays an own key and touches no prototype", () => {
    const ckpt = deserializeCheckpoint(forged({ 'adam_m/__proto__': w([2], 7), 'adam_v/__proto__': w([2], 8), 'weight/constructor': w([1]) }), FILE);
    expect(Object.keys(ckpt.optimizer.moments)).toEqual(['__proto__']);
    expect((Object.prototype as Record<string, unknown>).m).toBeUndefined();
    expect(({} as Record<string, unknown>).v).toBeUndefined();
    expect(ckpt.optimizer.moments.__proto__.step).toBeUndefined();
  });

  it('an optimizer moment without its pair is refused', () => {
    expect(failure(forged({ 'adam_m/a.bias': w([3]) }))?.message).toBe(`${FILE} is not a usable training checkpoint: the optimizer state of 'a.bias' is incomplete. Delete it and start the run again.`);
  });
});

describe('checkCheckpointFits', () => {
  const model = new Map<string, number[]>([['a.weight', [2, 3]], ['a.bias', [3]]]);
  it('accepts the model it was taken from', () => {
    expect(() => checkCheckpointFits(CKPT, model, FILE)).not.toThrow();
  });

  it('refuses a missing weight or another shape, naming the file and the tensor', () => {
    const wider = new Map([...model, ['a.weight', [2, 4]]]);
    expect(() => checkCheckpointFits(CKPT, wider, FILE)).toThrow(`${FILE} was saved for a different model: its weight 'a.weight' has shape [2, 3] but the model's is [2, 4].`);
    const more = new Map([...model, ['b.bias', [3]]]);
    expect(() => checkCheckpointFits(CKPT, more, FILE)).toThrow(`${FILE} was saved for a different model: it lacks the weight 'b.bias'.`);
  });
});
