/**
 * The forgetting guard's verdict (tf-free, shared by the engine, the CLI and the studio): a fine-tuned model
 * "forgot" general similarity when its Spearman correlation on a general-domain set fell by more than the
 * threshold below the base model's. The threshold is the user's; the default is the engine's policy.
 */

/** Default largest acceptable drop in Spearman correlation (absolute, on the −1..1 scale). */
export const DEFAULT_FORGETTING_THRESHOLD = 0.05;

export interface ForgettingVerdict {
  /** Spearman correlation of the base and of the fine-tuned model on the general-domain set. */
  base: number;
  trained: number;
  /** base − trained (positive: the fine-tuned model is worse). */
  drop: number;
  threshold: number;
  /** 'forgot': dropped by more than the threshold; 'kept' otherwise (equal to the threshold is kept). */
  verdict: 'kept' | 'forgot';
  /** One plain sentence for the user. */
  message: string;
}

const fmt = (x: number) => x.toFixed(3);

/** Whether a drop from `base` to `trained` exceeds `threshold`; rejects a threshold that is not a number ≥ 0. */
export function forgettingVerdict(base: number, trained: number, threshold: number = DEFAULT_FORGETTING_THRESHOLD): ForgettingVerdict {
  if (!Number.isFinite(threshold) || threshold < 0) throw new RangeError(`forgettingVerdict: threshold must be a number ≥ 0, got ${threshold}`);
  const drop = base - trained;
  // 1e-12: a drop equal to the threshold in decimal (0.85 → 0.80 at 0.05) must not tip over by rounding.
  const forgot = drop > threshold + 1e-12;
  const message = forgot
    ? `General-domain similarity fell from ${fmt(base)} to ${fmt(trained)} (−${fmt(drop)}, more than the ${fmt(threshold)} allowed): ` +
      'the model may have forgotten general knowledge. Train for fewer steps or with a lower learning rate, or mix general data into the training set.'
    : drop > 0
      ? `General-domain similarity fell from ${fmt(base)} to ${fmt(trained)} (−${fmt(drop)}), within the ${fmt(threshold)} allowed.`
      : `General-domain similarity held: ${fmt(base)} before, ${fmt(trained)} after.`;
  return { base, trained, drop, threshold, verdict: forgot ? 'forgot' : 'kept', message };
}
