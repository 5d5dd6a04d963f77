/** Evaluate step: base and fine-tuned metrics, and the similarity playground. */
import type { EvaluationSummary, EvaluationTarget, PlaygroundCorpus, RankedText, RankingResult } from '../../worker/protocol';
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
    /** What a query searches, and the pasted texts (one per line) when that is the choice. */
    corpus: PlaygroundCorpus['kind'];
    pasted: string;
    /** Unique texts the last query ranked, and how many more the corpus had beyond the limit. */
    searched: number;
    cut: number;
    /** The step of the fine-tuned weights the last query ranked with (a run's latest while it trains). */
    trainedStep: number | null;
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
  rankingReceived: (result: RankingResult) => void;
  playgroundCorpusChanged: (corpus: PlaygroundCorpus['kind'], pasted?: string) => void;
  queryFailed: (message: string) => void;
}

const EMPTY_EVAL: EvaluationSlice['evaluation'] = { status: 'idle', base: null, trained: null, progress: null, error: null, forgettingThreshold: DEFAULT_FORGETTING_THRESHOLD };

export function evaluationSlice(set: SetState, _get: GetState): EvaluationSlice {
  return {
    evaluation: EMPTY_EVAL,
    playground: { status: 'idle', query: '', base: [], trained: null, error: null, corpus: 'validation', pasted: '', searched: 0, cut: 0, trainedStep: null },
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
    rankingReceived: (r) =>
      set((s) => ({ playground: { ...s.playground, status: 'ready', query: r.query, base: r.base, trained: r.trained, error: null, searched: r.searched, cut: r.cut, trainedStep: r.trainedStep } })),
    playgroundCorpusChanged: (corpus, pasted) =>
      set((s) => ({ playground: { ...s.playground, corpus, pasted: pasted ?? s.playground.pasted, status: 'idle', base: [], trained: null, error: null } })),
    queryFailed: (message) => set((s) => ({ playground: { ...s.playground, status: 'error', error: message } })),
  };
}
