/**
 * The bench page: the engine in the browser, driven by bench/run.ts through Playwright. One page load per
 * backend; the measurement code is bench/measure.ts, the same that runs in Node. Exposed as `window.embeddingBench`.
 */
import * as tf from '@tensorflow/tfjs';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendName } from '../../src/engine/backend';
import { benchEmbed, benchTrain, profileTrainStep, PROGRESS_PREFIX, type BenchSpec } from '../measure';

/** Switches tf.js to `name` (and only it); returns what the engine reports, plus the browser's own view. */
async function init(name: BackendName) {
  const info = await initBackend({
    order: [name],
    wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl },
  });
  return {
    backend: info.name,
    tfBackend: tf.getBackend(),
    adapter: info.adapter ?? null,
    crossOriginIsolated: typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    wasmThreads: info.name === 'wasm' ? getThreadsCount() : null,
  };
}

/** Which of the engine's backends this browser can start (each tried in turn, the last one left active). */
async function available(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  for (const name of ['webgpu', 'webgl', 'wasm'] as BackendName[]) {
    try {
      await init(name);
      out.push(name);
    } catch {
      // not offered by this browser
    }
  }
  return out;
}

const api = {
  init,
  available,
  train: (spec: BenchSpec) => benchTrain(spec, (e) => console.log(PROGRESS_PREFIX + JSON.stringify(e))),
  embed: (spec: Pick<BenchSpec, 'shape' | 'seed'>, batch: number, seqLen: number, batches: number) => benchEmbed(spec, batch, seqLen, batches),
  profile: (spec: BenchSpec, top: number) => profileTrainStep(spec, top),
};

declare global {
  interface Window {
    embeddingBench: typeof api;
  }
}

window.embeddingBench = api;
(document.getElementById('status') as HTMLElement).textContent = 'ready';
