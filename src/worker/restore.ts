/**
 * Rebuilds the worker's session from what IndexedDB kept: dataset, mapping, model, then the last checkpoint's
 * weights and the run's history. Each step that fails leaves the later ones out (the page starts from there).
 */
import type { Progress } from './dataOps';
import { unpackCheckpoint, type PersistedSession } from './persist';
import type { RestoredSession } from './protocol';
import type { StudioSession } from './session';

export async function restoreSession(session: StudioSession, saved: Partial<PersistedSession>, progress: Progress): Promise<RestoredSession> {
  const out: RestoredSession = {
    dataset: null,
    mapping: null,
    model: null,
    options: saved.run?.options ?? null,
    maxLength: saved.run?.maxLength ?? null,
    steps: [],
    evals: [],
    totalSteps: 0,
    checkpointStep: 0,
    finished: false,
  };
  try {
    if (saved.dataset) {
      const source = saved.dataset.demo ? ({ kind: 'demo' } as const) : { kind: 'file' as const, file: new File([saved.dataset.blob], saved.dataset.fileName) };
      const r = await session.loadDataset('train', source, progress);
      if (r.kind === 'dataset') out.dataset = r.dataset;
    }
    if (saved.validation) {
      await session.loadDataset('validation', { kind: 'file', file: new File([saved.validation.blob], saved.validation.fileName) }, progress);
    }
    if (saved.mapping && out.dataset) {
      const r = session.setMapping(saved.mapping.recordType, saved.mapping.columns, saved.mapping.choice);
      if (r.kind === 'mapping') out.mapping = r.mapping;
    }
    if (saved.model) {
      const m = saved.model;
      const source = m.kind === 'hub' ? { kind: 'hub' as const, hubId: m.hubId } : m.kind === 'files' ? { kind: 'files' as const, files: m.files } : { kind: 'demo' as const };
      const r = await session.loadModel(source, progress);
      if (r.kind === 'model') out.model = r.model;
    }
    if (saved.run && saved.checkpoint && out.mapping && out.model) {
      const encoder = session.freshEncoder(saved.run.maxLength);
      await session.ensureBaseCorpus(progress);
      encoder.loadWeights(unpackCheckpoint(saved.checkpoint));
      const run = session.run;
      run.trained = true;
      run.history = saved.run.steps.filter((p) => p.step <= saved.checkpoint!.step);
      run.evals = saved.run.evals.filter((p) => p.step <= saved.checkpoint!.step);
      run.record = { ...saved.run.record, steps: saved.checkpoint.step };
      run.checkpoint = { step: saved.checkpoint.step, weights: unpackCheckpoint(saved.checkpoint) };
      out.steps = run.history;
      out.evals = run.evals;
      out.totalSteps = saved.run.record.totalSteps;
      out.checkpointStep = saved.checkpoint.step;
      out.finished = saved.run.record.finished && saved.checkpoint.step >= saved.run.record.totalSteps;
    }
  } catch (e) {
    console.warn('could not restore the whole session', e);
  }
  return out;
}
