/**
 * AdamW over named tf.Variables, step for step torch.optim.AdamW (amsgrad off, maximize off, not capturable).
 *
 * For each parameter p with gradient g, at its own update count t (1-based, counted only on steps where it
 * had a gradient, as torch keeps state['step'] per parameter):
 *   p ← p · (1 − lr·wd)                      (only when decay applies to p)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
 * Parameters without a gradient in a step (frozen) are left untouched, their moments too.
 * A sparse-row update (only the embedding rows a batch touches) is not implemented yet.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';

export interface AdamWOptions {
  /** Exponential decay of the first moment. */
  beta1?: number;
  /** Exponential decay of the second moment. */
  beta2?: number;
  /** Added to the bias-corrected sqrt(v); 1e-8 is representable in float32. */
  eps?: number;
  /** Decoupled weight decay coefficient (torch's default for AdamW is 0.01). */
  weightDecay?: number;
  /** Parameters exempt from weight decay; default: biases and LayerNorm parameters (HF Trainer convention). */
  noDecay?: (name: string) => boolean;
}

/** Moments of one parameter, read back for a checkpoint. */
export interface AdamWMoment {
  /** First moment, row-major. */
  m: Float32Array;
  /** Second moment, row-major. */
  v: Float32Array;
  /** The parameter's shape. */
  shape: number[];
  /** How many updates this parameter has had (torch's per-parameter state['step']); defaults to the state's step. */
  step?: number;
}

export interface AdamWState {
  /** How many times step() was called. */
  step: number;
  /** Per parameter name; parameters that never had a gradient have no entry. */
  moments: Record<string, AdamWMoment>;
}

/**
 * HF Trainer's rule by name alone, for callers without a model family: no decay on biases and on modules named
 * LayerNorm. The trainer passes the family's own rule (Architecture.noDecay: GPT-2's ln_1/ln_2/ln_f too).
 */
export function defaultNoDecay(name: string): boolean {
  return name.includes('bias') || name.includes('LayerNorm');
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
  step: number;
}

export type NamedTensors = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

function entriesOf(tensors: NamedTensors): [string, tf.Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export class AdamW {
  private readonly params: Map<string, tf.Variable>;
  private readonly slots = new Map<string, Slot>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly noDecay: (name: string) => boolean;
  private steps = 0;

  constructor(params: Map<string, tf.Variable> | Record<string, tf.Variable>, options: AdamWOptions = {}) {
    this.params = params instanceof Map ? new Map(params) : new Map(Object.entries(params));
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.noDecay = options.noDecay ?? defaultNoDecay;
    const inRange = (b: number) => Number.isFinite(b) && b >= 0 && b < 1;
    if (!inRange(this.beta1) || !inRange(this.beta2)) {
      throw new EngineError('bad_option', `AdamW betas must be in [0, 1), got (${this.beta1}, ${this.beta2}).`);
    }
    if (!(this.eps >= 0) || !(this.weightDecay >= 0)) {
      throw new EngineError('bad_option', `AdamW eps and weight decay must be ≥ 0, got ${this.eps} and ${this.weightDecay}.`);
    }
  }

  /** Number of step() calls so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Whether decoupled weight decay applies to parameter `name`. */
  decays(name: string): boolean {
    return this.weightDecay > 0 && !this.noDecay(name);
  }

  /**
   * One update of every parameter that has a gradient in `grads`, at learning rate `lr`. An lr of 0 still
   * advances the moments and counts (as torch). Gradients are not disposed.
   */
  step(grads: NamedTensors, lr: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`AdamW.step: lr must be a finite number ≥ 0, got ${lr}`);
    const named = entriesOf(grads);
    for (const [name, grad] of named) {
      const param = this.params.get(name);
      if (!param) throw new Error(`AdamW.step: gradient for unknown parameter '${name}'`);
      if (!sameShape(param.shape, grad.shape)) {
        throw new Error(`AdamW.step: gradient for '${name}' has shape [${grad.shape}], parameter has [${param.shape}]`);
      }
    }
    this.steps += 1;
    for (const [name, grad] of named) this.update(name, this.params.get(name) as tf.Variable, grad, lr);
  }

  private slotFor(name: string, param: tf.Variable): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = {
        m: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
        v: tf.tidy(() => tf.variable(tf.zerosLike(param), false)),
        step: 0,
      };
      this.slots.set(name, slot);
    }
    return slot;
  }

  private update(name: string, param: tf.Variable, grad: tf.Tensor, lr: number): void {
    const slot = this.slotFor(name, param);
    slot.step += 1;
    const t = slot.step;
    const { beta1, beta2, eps } = this;
    const decayFactor = this.decays(name) ? 1 - lr * this.weightDecay : 1;
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    tf.tidy(() => {
      const g = tf.cast(grad, 'float32');
      const p = decayFactor === 1 ? param : tf.mul(param, decayFactor); // decoupled decay first, as torch
      const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
      const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
      slot.m.assign(m);
      slot.v.assign(v);
      param.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
    });
  }

  /** The optimiser state as plain arrays (reads the moments back from the device). */
  async getState(): Promise<AdamWState> {
    const moments: Record<string, AdamWMoment> = {};
    for (const [name, slot] of this.slots) {
      moments[name] = {
        m: Float32Array.from(await slot.m.data()),
        v: Float32Array.from(await slot.v.data()),
        shape: [...slot.m.shape],
        step: slot.step,
      };
    }
    return { step: this.steps, moments };
  }

  /**
   * Restores a state from getState() (e.g. a checkpoint), replacing the current one. Throws EngineError when
   * it names a parameter this optimiser does not have or a shape differs: the checkpoint is for another model.
   */
  setState(state: AdamWState): void {
    for (const [name, moment] of Object.entries(state.moments)) {
      const param = this.params.get(name);
      if (!param) {
        throw new EngineError('bad_config', `Optimizer state names parameter '${name}', which this model does not have: the checkpoint was saved for a different model. Resume from a matching checkpoint or start a new run.`);
      }
      const size = moment.shape.reduce((a, b) => a * b, 1);
      if (!sameShape(param.shape, moment.shape) || moment.m.length !== size || moment.v.length !== size) {
        throw new EngineError('bad_config', `Optimizer state for '${name}' has shape [${moment.shape}] (${moment.m.length} values) but the parameter has shape [${param.shape}]: the checkpoint was saved for a different model. Resume from a matching checkpoint or start a new run.`);
      }
    }
    this.disposeSlots();
    for (const [name, moment] of Object.entries(state.moments)) {
      this.slots.set(name, {
        m: tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(moment.m), moment.shape, 'float32'), false)),
        v: tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(moment.v), moment.shape, 'float32'), false)),
        step: moment.step ?? state.step,
      });
    }
    this.steps = state.step;
  }

  private disposeSlots(): void {
    for (const slot of this.slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.slots.clear();
  }

  /** Frees the moments (not the parameters). */
  dispose(): void {
    this.disposeSlots();
  }
}
