/** React access to the worker bridge. */
import { createContext, useContext } from 'react';
import type { StudioBridge } from './bridge';

export const BridgeContext = createContext<StudioBridge | null>(null);

export function useBridge(): StudioBridge {
  const bridge = useContext(BridgeContext);
  if (bridge === null) throw new Error('useBridge outside <BridgeContext.Provider>');
  return bridge;
}
