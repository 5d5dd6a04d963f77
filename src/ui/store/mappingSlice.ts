/** Mapping step: record type, column per field, split, and what the worker made of them. */
import type { ColumnMapping } from '../../engine/data';
import type { RecordType } from '../../engine/records';
import type { UnknownTokenShare } from '../../engine/unknownTokens';
import type { MappingSummary, SplitChoice } from '../../worker/protocol';
import type { GetState, SetState } from './types';

export interface MappingSlice {
  mapping: {
    recordType: RecordType;
    columns: ColumnMapping;
    split: SplitChoice;
    status: 'idle' | 'applying' | 'ready' | 'error';
    summary: MappingSummary | null;
    error: string | null;
    /** Per mapped text column, the share of tokens the loaded model cannot read; null until both are there. */
    unknownTokens: UnknownTokenShare[] | null;
  };
  /** Edits the choice (the bridge then asks the worker to apply it). */
  mappingChosen: (recordType: RecordType, columns: ColumnMapping, split: SplitChoice) => void;
  mappingApplied: (summary: MappingSummary) => void;
  mappingFailed: (message: string) => void;
  unknownTokensMeasured: (shares: UnknownTokenShare[] | null) => void;
}

export const DEFAULT_SPLIT: SplitChoice = { kind: 'fraction', fraction: 0.1, seed: 42 };

export function mappingSlice(set: SetState, _get: GetState): MappingSlice {
  return {
    mapping: { recordType: 'pair', columns: {}, split: DEFAULT_SPLIT, status: 'idle', summary: null, error: null, unknownTokens: null },
    mappingChosen: (recordType, columns, split) =>
      set((s) => ({ mapping: { ...s.mapping, recordType, columns, split, status: 'applying', error: null } })),
    mappingApplied: (summary) =>
      set((s) => ({ mapping: { ...s.mapping, recordType: summary.recordType, columns: summary.mapping, split: summary.split, status: 'ready', summary, error: null } })),
    mappingFailed: (message) => set((s) => ({ mapping: { ...s.mapping, status: 'error', summary: null, error: message, unknownTokens: null } })),
    unknownTokensMeasured: (shares) => set((s) => ({ mapping: { ...s.mapping, unknownTokens: shares } })),
  };
}
