/**
 * The trainer's keeper of the best model: follows the primary metric of each evaluation (./bestModel.ts) and
 * holds a CPU copy of the trainable weights (and the loss's own tensors) of the best one.
 *
 * Memory: one snapshot at a time, replaced on each new best: 4 bytes × trainable parameters of host memory
 * (a 110M-parameter BERT fully fine-tuned: about 440 MB; BitFit: a few hundred KB). Frozen weights never change,
 * so they are not copied. Checkpoints store the snapshot (tensors `best/<name>`) when it is not their own step.
 */
import type { HostTensor } from '../model/encoder';
import { shouldStopEarly, updateBest, type BestState, type BestUpdate } from './bestModel';
import type { TrainingCheckpoint } from './checkpoint';

/** Reads the weights a snapshot copies (the encoder's and the loss's tensors, by name). */
export type ReadWeights = () => Promise<Map<string, HostTensor>>;

export class BestKeeper {
  state: BestState | null = null;
  private snapshot: Map<string, HostTensor> | null = null;

  /** `names`: the trainable parameters and loss tensors a snapshot holds. */
  constructor(
    private readonly names: ReadonlySet<string>,
    private readonly read: ReadWeights,
    private readonly patience: number,
  ) {}

  /** Picks up a resumed run's best-so-far: its stored snapshot, or the checkpoint's own weights when the best is its step. */
  resumeFrom(ckpt: TrainingCheckpoint): void {
    if (!ckpt.best) return;
    this.state = { ...ckpt.best };
    const source = ckpt.bestWeights ?? (ckpt.best.step === ckpt.step ? ckpt.weights : null);
    this.snapshot = source === null ? null : this.pick(source);
  }

  private pick(weights: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const [name, w] of weights) if (this.names.has(name)) out.set(name, { shape: [...w.shape], data: w.data.slice() });
    return out;
  }

  /** Records the evaluation at `step` of `metric` (its value in `metrics`); snapshots the weights on a new best. */
  async observe(step: number, metric: string, metrics: Record<string, number>): Promise<BestUpdate | null> {
    const value = metrics[metric];
    if (typeof value !== 'number') return null;
    const update = updateBest(this.state, metric, step, value);
    this.state = update.state;
    if (update.improved) this.snapshot = this.pick(await this.read());
    return update;
  }

  /** Whether the patience has run out. */
  get exhausted(): boolean {
    return this.state !== null && shouldStopEarly(this.state.sinceBest, this.patience);
  }

  /** The best weights, when a snapshot is held. */
  get weights(): ReadonlyMap<string, HostTensor> | null {
    return this.snapshot;
  }

  /** What a checkpoint of step `step` stores of the best: the state, and the snapshot unless the best is that step. */
  forCheckpoint(step: number): Pick<TrainingCheckpoint, 'best' | 'bestWeights'> {
    if (this.state === null) return {};
    const out: Pick<TrainingCheckpoint, 'best' | 'bestWeights'> = { best: { ...this.state } };
    if (this.snapshot !== null && this.state.step !== step) out.bestWeights = new Map(this.snapshot);
    return out;
  }
}
