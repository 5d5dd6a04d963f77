/**
 * What a loss is: one self-describing definition per file (as sentence-transformers' loss classes with
 * `get_config_dict`), read by the registry (./registry.ts). This file and every definition import tf.js for types
 * only: the computation receives the tf.js namespace as an argument, so the catalog loads without tf.js.
 */
import type * as TF from '@tensorflow/tfjs';
import type { RecordType } from '../records';

/** The tf.js namespace a loss computes with (passed in by ./index.ts). */
export type Tf = typeof TF;

export type LossName =
  | 'mnrl'
  | 'mnrl-symmetric'
  | 'mnrl-gte'
  | 'uniem-triplet'
  | 'gist'
  | 'mega-batch-margin'
  | 'cosent'
  | 'angle'
  | 'cosine'
  | 'contrastive'
  | 'online-contrastive'
  | 'triplet'
  | 'softmax'
  | 'batch-all-triplet'
  | 'batch-hard-triplet'
  | 'batch-semi-hard-triplet'
  | 'batch-hard-soft-margin-triplet'
  | 'margin-mse'
  | 'distill-kl';

/** Tunable loss parameters; each loss reads only the ones in its `params`. */
export interface LossParams {
  /** Multiplier on similarities before softmax / exp (mnrl*, cosent, angle). */
  scale?: number;
  /** Softmax temperature dividing similarities (uniem-triplet, gist, distill-kl). */
  temperature?: number;
  /** Distance margin (triplet losses: Euclidean; contrastive: cosine distance; gist: cosine). */
  margin?: number;
  /** mega-batch-margin: the positive's cosine must reach this. */
  positiveMargin?: number;
  /** mega-batch-margin: the hardest in-batch negative's cosine must stay below this. */
  negativeMargin?: number;
}

export type LossParamName = keyof LossParams;

/** One parameter: its default, valid range and the sentence-transformers argument it becomes. */
export interface ParamSpec {
  default: number;
  /** Smallest valid value; `minExclusive` makes it a strict bound. */
  min: number;
  minExclusive: boolean;
  /** Largest valid value (inclusive), if any. */
  max?: number;
  /** The keyword argument of the sentence-transformers class. */
  pythonName: string;
  /** One line for the UI. */
  description: string;
}

/**
 * A batch's embeddings by role. When every row has k negatives they are k columns stacked: negative j of row i is
 * row j·B + i of `negatives` ([k·B, D]), sentence-transformers' `negative_1..k` order. Rows with different
 * numbers of negatives (a group file read without --group-size) pool them in row order, `negativesPerRow` null.
 */
export interface LossInputs {
  /** [B, D]: anchor / query / sentence1 / the text of a labelled or plain text. */
  anchor: TF.Tensor2D;
  /** [B, D]: positive / sentence2; null for labelled texts. */
  positive: TF.Tensor2D | null;
  /** [N, D] hard negatives (N = k·B, column after column, when `negativesPerRow` is k); null when the rows have none. */
  negatives: TF.Tensor2D | null;
  /** k when every row has k negatives, null when they differ (pooled), 0 when there are none. */
  negativesPerRow: number | null;
  /** [B]: scored-pair labels in 0..1, class indices, or teacher margins; null when the records have none. */
  labels: TF.Tensor1D | null;
  /** [B, 1 + k]: teacher scores of [positive, negative_1..k] (margin-mse, distill-kl); null otherwise. */
  teacher: TF.Tensor2D | null;
  /** The guide model's embeddings of the same texts (gist); null otherwise. */
  guide: { anchor: TF.Tensor2D; positive: TF.Tensor2D; negatives: TF.Tensor2D | null } | null;
  /** The trainable classifier (softmax): weight [C, 3D] (torch nn.Linear layout), bias [C]; null otherwise. */
  classifier: { weight: TF.Tensor2D; bias: TF.Tensor1D } | null;
}

/** Parameters after defaults and checks: every parameter the loss declares, as a number. */
export type ResolvedParams = Readonly<Record<LossParamName, number>>;

/** Extra inputs a loss needs beyond the embeddings of the batch's texts. */
export type LossExtra = 'teacher' | 'guide' | 'classifier';

/** How the batches of a loss are drawn (sentence-transformers' batch samplers). */
export type LossBatchOrder = 'no_duplicates' | 'shuffle' | 'group_by_label';

export interface LossDefinition {
  name: LossName;
  /** Human-readable name for the UI. */
  label: string;
  /** One line for the UI on what it optimises. */
  description: string;
  /** Record types this loss trains on, the first being its natural one. */
  recordTypes: readonly RecordType[];
  /** Its parameters; the keys present are the ones the loss reads. */
  params: Readonly<Partial<Record<LossParamName, ParamSpec>>>;
  /** What it needs besides the embeddings. */
  extras: readonly LossExtra[];
  /**
   * How its batches are drawn: NO_DUPLICATES for losses that take the other rows of a batch as negatives (a
   * repeated text would be a false negative), GROUP_BY_LABEL for the batch triplet losses, otherwise a plain
   * shuffle (sentence-transformers' default BATCH_SAMPLER).
   */
  batchOrder: LossBatchOrder;
  /** The sentence-transformers class (in `sentence_transformers.losses`) and any fixed arguments besides `params`. */
  sentenceTransformers: { className: string; fixedArgs?: Readonly<Record<string, string>> };
  /** Papers to cite in the model card (BibTeX keys are not needed: one line each). */
  citation?: string;
  /** A pure function from one batch's embeddings to the loss; runs inside the caller's tf.tidy. */
  compute(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar;
}
