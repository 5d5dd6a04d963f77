/** Shared store types: the whole studio state is the union of its feature slices. */
import type { DatasetSlice } from './datasetSlice';
import type { EvaluationSlice } from './evaluationSlice';
import type { ExportSlice } from './exportSlice';
import type { MappingSlice } from './mappingSlice';
import type { ModelSlice } from './modelSlice';
import type { SettingsSlice } from './settingsSlice';
import type { StorageSlice } from './storageSlice';
import type { TrainingSlice } from './trainingSlice';

export type Studio = DatasetSlice & MappingSlice & ModelSlice & SettingsSlice & TrainingSlice & EvaluationSlice & ExportSlice & StorageSlice;

/** A long task's progress as shown under its control. */
export interface TaskProgress {
  done: number;
  total: number | null;
  label: string;
  unit: 'bytes' | 'texts' | 'steps';
}

/** Zustand's set/get for a slice over the whole state. */
export type SetState = (partial: Partial<Studio> | ((s: Studio) => Partial<Studio>)) => void;
export type GetState = () => Studio;
