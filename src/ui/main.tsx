import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { StudioBridge } from './bridge';
import { BridgeContext } from './context';
import { createStudioStore, StoreContext } from './store';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const store = createStudioStore();
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
});
void bridge.init().then(() => bridge.restore());

createRoot(root).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <BridgeContext.Provider value={bridge}>
        <App />
      </BridgeContext.Provider>
    </StoreContext.Provider>
  </StrictMode>,
);
