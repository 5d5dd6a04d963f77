/**
 * Damaged or forged checkpoint files: truncations, flipped bits and bytes, edited tensors or training state,
 * files without checksums, forged training state (with valid checksums), tensor names that try Object.prototype,
 * optimizer state with a moment missing, weights of another model. Each is an EngineError naming the file; none
 * pollutes prototypes or escapes as another exception.
 */
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { parseSafetensorsHeader, readSafetensors, writeSafetensors } from '../../../src/engine/io/safetensors';
import { checkCheckpointFits, deserializeCheckpoint, serializeCheckpoint, writeCheckpointFile, type TrainingCheckpoint } from '../../../src/engine/train/checkpoint';

const FILE = 'runs/a/checkpoint.safetensors';
const w = (shape: number[], v = 0.5) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });

const CKPT: TrainingCheckpoint = {
  step: 2,
  totalSteps: 5,
  lossHistory: [1.5, 1.25],
  runKey: 'pair-20-abc-def',
  head: { pooling: 'mean', normalize: true, maxSeqLength: 64 },
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
const HEAD = { pooling: 'mean', normalize: true, maxSeqLength: 64 };
const STATE = { step: 2, totalSteps: 5, lossHistory: [1.5, 1.25], runKey: 'k', optimizerStep: 2, steps: { 'a.bias': 2 }, head: HEAD };

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

/** A file with valid checksums around whatever tensors and training state it is given. */
function forged(tensors: Record<string, { shape: number[]; data: Float32Array }>, state: unknown = STATE): Uint8Array {
  return writeCheckpointFile(new Map(Object.entries(tensors)), JSON.stringify(state));
}

/** `bytes` rewritten with the same checksums entry but `edit` applied to its tensors and metadata. */
function edited(bytes: Uint8Array, edit: (tensors: Map<string, { shape: number[]; data: Float32Array }>, metadata: Record<string, string>) => void): Uint8Array {
  const metadata = { ...parseSafetensorsHeader(bytes).metadata };
  const tensors = new Map([...readSafetensors(bytes)].map(([name, t]) => [name, { shape: t.shape, data: t.data.slice() }]));
  edit(tensors, metadata);
  const { format: _pt, ...rest } = metadata;
  return writeSafetensors(tensors, rest);
}

const damaged = (what: string) => `${FILE} is damaged: ${what}; delete it (and start the run again) or resume from another checkpoint.`;

describe('deserializeCheckpoint on damaged files (property)', () => {
  it('round-trips', () => {
    const back = deserializeCheckpoint(BYTES, FILE);
    expect(back).toMatchObject({ step: 2, totalSteps: 5, lossHistory: [1.5, 1.25], runKey: CKPT.runKey, head: CKPT.head });
    expect(back.weights.get('a.weight')?.data).toEqual(CKPT.weights.get('a.weight')?.data);
    expect(back.optimizer.moments['a.bias'].v).toEqual(CKPT.optimizer.moments['a.bias'].v);
  });

  it('refuses every single flipped bit of the file, and every truncation', () => {
    for (let i = 0; i < BYTES.length; i++) {
      expect(failure(BYTES.subarray(0, i)), `truncated to ${i} bytes`).not.toBeNull();
      for (let bit = 0; bit < 8; bit++) {
        const copy = BYTES.slice();
        copy[i] ^= 1 << bit;
        expect(failure(copy), `bit ${bit} of byte ${i}`).not.toBeNull();
      }
    }
  });

  it('a random bit flipped in a random checkpoint is refused (property)', () => {
    const tensor = fc.array(fc.float({ noDefaultInfinity: true, noNaN: true }), { minLength: 1, maxLength: 16 }).map((v) => ({ shape: [v.length], data: Float32Array.from(v) }));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a.weight', 'b.bias', 'c.x'), tensor, { minKeys: 1 }), fc.nat(), fc.nat(7), (params, at, bit) => {
        const weights = new Map(Object.entries(params));
        const moments = Object.fromEntries([...weights].map(([n, t]) => [n, { m: t.data.map((x) => x / 2), v: t.data.map((x) => x * x), shape: t.shape, step: 1 }]));
        const bytes = serializeCheckpoint({ ...CKPT, step: 1, lossHistory: [0.5], weights, optimizer: { step: 1, moments } });
        const copy = bytes.slice();
        copy[at % copy.length] ^= 1 << bit;
        expect(failure(copy)).not.toBeNull();
      }),
      runs(300),
    );
  });

  it('any byte replaced is refused naming the file, or the file reads as the same checkpoint', () => {
    const original = deserializeCheckpoint(BYTES, FILE);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const copy = BYTES.slice();
        copy[at % BYTES.length] = value;
        if (failure(copy) === null) expect(deserializeCheckpoint(copy, FILE)).toEqual(original);
      }),
      runs(500),
    );
  });

  it('an edited tensor or training state, rewritten as a valid file, does not match its checksum', () => {
    const tweaked = edited(BYTES, (tensors) => {
      (tensors.get('adam_v/a.weight') as { data: Float32Array }).data[4] = 0.25;
    });
    expect(failure(tweaked)?.message).toBe(damaged(`tensor "adam_v/a.weight" does not match its checksum`));
    const reshaped = edited(BYTES, (tensors) => {
      (tensors.get('weight/a.weight') as { shape: number[] }).shape = [3, 2];
    });
    expect(failure(reshaped)?.message).toBe(damaged(`tensor "weight/a.weight" does not match its checksum`));
    const later = edited(BYTES, (_, metadata) => {
      metadata.training_state = metadata.training_state.replace('"step":2', '"step":1').replace('[1.5,1.25]', '[1.5]');
    });
    expect(failure(later)?.message).toBe(damaged('its training state (the file header) does not match its checksum'));
    const extra = edited(BYTES, (tensors) => {
      tensors.set('weight/b.bias', w([3]));
    });
    expect(failure(extra)?.message).toBe(damaged(`tensor "weight/b.bias" has no checksum`));
    const fewer = edited(BYTES, (tensors) => {
      tensors.delete('adam_m/a.bias');
    });
    expect(failure(fewer)?.message).toBe(damaged(`tensor "adam_m/a.bias" is missing`));
    const unsummed = edited(BYTES, (_, metadata) => {
      delete metadata.checksums;
    });
    expect(failure(unsummed)?.message).toBe(damaged(`its 'checksums' entry is missing or unreadable`));
  });

  it('refuses a checkpoint of the version without checksums, saying so', () => {
    const old = writeSafetensors({ 'weight/a.bias': w([3]) }, { embedding_studio: 'embedding-studio-checkpoint-1', training_state: JSON.stringify(STATE) });
    expect(failure(old)?.message).toBe(
      `${FILE} is not a usable training checkpoint: it was written by an older version of Embedding Studio, without checksums, so it cannot be checked for damage. Delete it and start the run again.`,
    );
  });

  it('forged training state: wrong types, steps that do not match the history', () => {
    const bad = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({ step: fc.oneof(fc.integer({ min: -3, max: 9 }), fc.double()), totalSteps: fc.integer({ min: 0, max: 9 }), lossHistory: fc.array(fc.double(), { maxLength: 4 }), runKey: fc.string(), optimizerStep: fc.nat(), steps: fc.constant({}), head: fc.constant(HEAD) }),
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
    expect(failure(forged({ 'adam_m/a.bias': w([3]) }))?.message).toBe(`${FILE} is not a usable training checkpoint: the optimizer state of "a.bias" is incomplete. Delete it and start the run again.`);
  });

  it('a training state without its embedding head is refused', () => {
    const { head: _head, ...headless } = STATE;
    expect(failure(forged({ 'weight/a.bias': w([3]) }, headless))?.message).toBe(
      `${FILE} is not a usable training checkpoint: its embedding head (pooling, normalize, max length) is missing. Delete it and start the run again.`,
    );
    expect(failure(forged({ 'weight/a.bias': w([3]) }, { ...STATE, head: { ...HEAD, pooling: 'toString' } }))).not.toBeNull();
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
