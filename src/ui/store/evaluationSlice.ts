/** Evaluate step: base and fine-tuned metrics, and the similarity playground. */
import type { EvaluationSummary, EvaluationTarget, RankedText } from '../../worker/protocol';
import { DEFAULT_FORGETTING_THRESHOLD } from '../../engine/eval/general/verdict';
import type { GetState, SetState, TaskProgress } from './types';

export interface EvaluationSlice {
  evaluation: {
    status: 'idle' | 'running' | 'ready' | 'error';
    base: EvaluationSummary | null;
    trained: EvaluationSummary | null;
    progress: TaskProgress | null;
    error: string | null;
    /** The forgetting guard's threshold: the largest general-domain Spearman drop accepted without a warning. */
    forgettingThreshold: number;
  };
  playground: {
    status: 'idle' | 'running' | 'ready' | 'error';
    query: string;
    base: RankedText[];
    trained: RankedText[] | null;
    error: string | null;
  };
  evaluationRequested: () => void;
  evaluationProgress: (progress: TaskProgress) => void;
  evaluationReceived: (summary: EvaluationSummary) => void;
  evaluationDone: () => void;
  evaluationFailed: (message: string) => void;
  forgettingThresholdChanged: (threshold: number) => void;
  /** Results from before a new run or model no longer apply. */
  evaluationReset: (which?: EvaluationTarget) => void;
  queryRequested: (query: string) => void;
  rankingReceived: (query: string, base: RankedText[], trained: RankedText[] | null) => void;
  queryFailed: (message: string) => void;
}

const EMPTY_EVAL: EvaluationSlice['evaluation'] = { status: 'idle', base: null, trained: null, progress: null, error: null, forgettingThreshold: DEFAULT_FORGETTING_THRESHOLD };

export function evaluationSlice(set: SetState, _get: GetState): EvaluationSlice {
  return {
    evaluation: EMPTY_EVAL,
    playground: { status: 'idle', query: '', base: [], trained: null, error: null },
    evaluationRequested: () => set((s) => ({ evaluation: { ...s.evaluation, status: 'running', error: null, progress: null } })),
    evaluationProgress: (progress) => set((s) => ({ evaluation: { ...s.evaluation, progress } })),
    evaluationReceived: (summary) => set((s) => ({ evaluation: { ...s.evaluation, [summary.which]: summary } })),
    evaluationDone: () => set((s) => ({ evaluation: { ...s.evaluation, status: 'ready', progress: null } })),
    evaluationFailed: (message) => set((s) => ({ evaluation: { ...s.evaluation, status: 'error', error: message, progress: null } })),
    forgettingThresholdChanged: (threshold) => set((s) => ({ evaluation: { ...s.evaluation, forgettingThreshold: threshold } })),
    evaluationReset: (which) =>
      set((s) => ({
        evaluation: which ? { ...s.evaluation, [which]: null, status: 'idle' } : { ...EMPTY_EVAL, forgettingThreshold: s.evaluation.forgettingThreshold },
        playground: { ...s.playground, status: 'idle', base: [], trained: null, error: null },
      })),
    queryRequested: (query) => set((s) => ({ playground: { ...s.playground, query, status: 'running', error: null } })),
    rankingReceived: (query, base, trained) => set({ playground: { status: 'ready', query, base, trained, error: null } }),
    queryFailed: (message) => set((s) => ({ playground: { ...s.playground, status: 'error', error: message } })),
  };
}
