import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { BackendName } from '../engine/backend';
import { App } from './App';
import { StudioBridge } from './bridge';
import { BridgeContext } from './context';
import { createStudioStore, StoreContext } from './store';
import { keepToken, readRememberedToken } from './tokenStorage';
import './styles.css';

declare global {
  interface Window {
    /** Test hooks, present only with ?e2e=1. */
    studioTest?: { loseDevice: () => Promise<unknown>; limitStorage: (extraBytes: number) => Promise<unknown> };
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const store = createStudioStore();
/** The Hub token: remembered in this tab's sessionStorage only while "Remember for this tab" is ticked. */
const tabStorage = typeof sessionStorage === 'undefined' ? null : sessionStorage;
const remembered = readRememberedToken(tabStorage);
if (remembered !== null) store.getState().hubTokenChanged({ token: remembered, remember: true });
store.subscribe((s, previous) => {
  if (s.hubToken !== previous.hubToken) keepToken(tabStorage, s.hubToken.token, s.hubToken.remember);
});
const worker = new Worker(new URL('../worker/trainingWorker.ts', import.meta.url), { type: 'module' });
const bridge = new StudioBridge(worker, store, {
  createUrl: (blob) => URL.createObjectURL(blob),
  revokeUrl: (url) => URL.revokeObjectURL(url),
  download: (url, fileName) => {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
  },
  transformersWorker: () => new Worker(new URL('../worker/transformersWorker.ts', import.meta.url), { type: 'module' }),
});
/** ?e2e=1: the worker honours test-only requests, reachable from the e2e specs as window.studioTest. */
const e2e = new URLSearchParams(location.search).get('e2e') === '1';
if (e2e) window.studioTest = { loseDevice: () => bridge.loseDevice(), limitStorage: (extraBytes) => bridge.limitStorage(extraBytes) };
/** ?backend=webgpu|webgl|wasm|cpu runs on that backend alone (a software GPU included); otherwise the fastest. */
const asked = new URLSearchParams(location.search).get('backend');
const backend = (['webgpu', 'webgl', 'wasm', 'cpu'] as const satisfies readonly BackendName[]).find((name) => name === asked);
// The last session is read back after the backend starts: the page says so from the first paint, never an empty studio.
store.getState().restoreStarted();
void bridge.init(e2e, backend).then(() => bridge.restore());

createRoot(root).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <BridgeContext.Provider value={bridge}>
        <App />
      </BridgeContext.Provider>
    </StoreContext.Provider>
  </StrictMode>,
);
