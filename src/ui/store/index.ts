/**
 * The studio's zustand store, made of one slice per step. Actions are plain functions on the state, callable
 * outside React (the worker bridge calls them): `store.getState().datasetLoaded(summary)`.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { datasetSlice } from './datasetSlice';
import { evaluationSlice } from './evaluationSlice';
import { exportSlice } from './exportSlice';
import { mappingSlice } from './mappingSlice';
import { modelSlice } from './modelSlice';
import { settingsSlice } from './settingsSlice';
import { storageSlice } from './storageSlice';
import { trainingSlice } from './trainingSlice';
import type { Studio } from './types';

export type { Studio, TaskProgress } from './types';
export type StudioStore = StoreApi<Studio>;

export function createStudioStore(): StudioStore {
  return createStore<Studio>()((set, get) => ({
    ...datasetSlice(set, get),
    ...mappingSlice(set, get),
    ...modelSlice(set, get),
    ...settingsSlice(set, get),
    ...trainingSlice(set, get),
    ...evaluationSlice(set, get),
    ...exportSlice(set, get),
    ...storageSlice(set, get),
  }));
}

export const StoreContext = createContext<StudioStore | null>(null);

/** Reads the studio state in a component. */
export function useStudio<T>(selector: (s: Studio) => T): T {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useStudio outside <StoreContext.Provider>');
  return useStore(store, selector);
}
