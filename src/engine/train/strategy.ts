/**
 * Which parameters a run trains. Pure: maps parameter names and a strategy to the trainable subset, with the
 * model family saying where each parameter sits (Architecture.layerOf).
 */

/**
 * - `full`: every parameter (then minus the frozen parts below);
 * - `bitfit`: only the biases (Ben Zaken et al., 2021), as uniem defines it: every parameter whose name contains
 *   `bias` (LayerNorm biases included).
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

/**
 * The subset of `names` that the strategy trains, in the given order. @param layerOf -1 for the embeddings, i for
 * layer i, the layer count above the layers (Architecture.layerOf)
 */
export function trainableParamNames(names: readonly string[], strategy: TrainingStrategy, layerOf: (name: string) => number): string[] {
  return names.filter((name) => {
    if (strategy.kind === 'bitfit' && !name.includes('bias')) return false;
    const layer = layerOf(name);
    if (strategy.freezeEmbeddings && layer < 0) return false;
    return !(layer >= 0 && layer < strategy.freezeLayers);
  });
}
