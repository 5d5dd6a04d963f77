/** Evaluation: metric maths, evaluators for each record type, and run comparison. */
export {
  averageRanks,
  cosine,
  cosineMatrix,
  norm,
  pairedCosine,
  pearson,
  scoredPairMetrics,
  spearman,
  type ScoredPairMetrics,
  type Vector,
} from './stats';
export {
  IR_K,
  MAP_K,
  MRR_NDCG_K,
  RETRIEVAL_METRIC_KEYS,
  queryMetrics,
  rankByScore,
  retrievalMetrics,
  type RetrievalMetrics,
} from './retrieval';
export { tripletMetrics, type TripletMetrics } from './triplet';
export { BinaryPairEvaluator, binaryClassificationMetrics } from './binary';
export { ClassPairEvaluator, type ClassifyFn } from './classPair';
export { GroupRetrievalEvaluator } from './group';
export { LabelledTextTripletEvaluator } from './labelled';
export {
  RetrievalEvaluator,
  ScoredPairEvaluator,
  TripletEvaluator,
  evaluatorsFor,
  type EmbedFn,
  type Evaluator,
} from './evaluators';
export {
  cachedEmbed,
  compareRuns,
  mergeResults,
  runEvaluation,
  type ComparisonRow,
  type EvaluationResult,
  type EvaluatorResult,
} from './run';
