/**
 * Picks the fastest TensorFlow.js backend the runtime offers: WebGPU, then WebGL, then WASM, then CPU,
 * and says which one is in use. Works in a worker, on the main thread and in Node (where only `cpu`
 * and `wasm` exist).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './backendKernels';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The backend tf.js now runs on. */
  name: BackendName;
  /** Backends tried before it and why each was passed over. */
  skipped: { name: BackendName; reason: string }[];
  /** GPU adapter description where WebGPU reports one. */
  adapter?: string;
}

export interface BackendOptions {
  /** Backends to try, in order; the default is BACKEND_ORDER. */
  order?: readonly BackendName[];
  /** Where the WASM backend's .wasm files are served from (a folder URL, or a map of file name to URL). */
  wasmPaths?: string | Record<string, string>;
}

async function tryBackend(name: BackendName): Promise<string | null> {
  if (name === 'webgpu' && !(typeof navigator !== 'undefined' && 'gpu' in navigator)) {
    return 'this runtime has no WebGPU (navigator.gpu)';
  }
  if (name === 'webgl' && typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') {
    return 'this runtime has no canvas for WebGL';
  }
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return 'it failed to initialise';
    await tf.ready();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The adapter tf.js's WebGPU backend opened (asking navigator.gpu for another would open a second one). */
function adapterDescription(): string {
  const backend = tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } };
  const info = backend.adapterInfo;
  return [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
}

/** Switches tf.js to the first backend of `order` that initialises. */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const order = options.order ?? BACKEND_ORDER;
  if (options.wasmPaths) setWasmPaths(options.wasmPaths);
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    if (name === 'wasm') registerWasmTrainingKernels();
    const reason = await tryBackend(name);
    if (reason === null) {
      const adapter = name === 'webgpu' ? adapterDescription() : undefined;
      return { name, skipped, adapter };
    }
    skipped.push({ name, reason });
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
}
