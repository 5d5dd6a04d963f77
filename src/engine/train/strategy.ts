/**
 * Which parameters a run trains. Pure: maps parameter names and a strategy to the trainable subset.
 */

/**
 * - `full`: every parameter (then minus the frozen parts below);
 * - `bitfit`: only the biases (Ben Zaken et al., 2021), LayerNorm biases included.
 */
export type StrategyKind = 'full' | 'bitfit';

export interface TrainingStrategy {
  /** Full fine-tuning or BitFit. */
  kind: StrategyKind;
  /** Keep the embedding tables and the embedding LayerNorm fixed. */
  freezeEmbeddings: boolean;
  /** Keep transformer layers 0..K-1 fixed (0 = none). */
  freezeLayers: number;
}

export const FULL_FINE_TUNING: TrainingStrategy = { kind: 'full', freezeEmbeddings: false, freezeLayers: 0 };

function layerIndex(name: string): number | null {
  const m = /^encoder\.layer\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

/** The subset of `names` that the strategy trains, in the given order. */
export function trainableParamNames(names: readonly string[], strategy: TrainingStrategy): string[] {
  return names.filter((name) => {
    if (strategy.kind === 'bitfit' && !name.endsWith('.bias')) return false;
    if (strategy.freezeEmbeddings && name.startsWith('embeddings.')) return false;
    const layer = layerIndex(name);
    return !(layer !== null && layer < strategy.freezeLayers);
  });
}
