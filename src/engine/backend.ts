/**
 * Picks the fastest TensorFlow.js backend the runtime offers: WebGPU, then WebGL, then WASM, then CPU,
 * and says which one is in use. Works in a worker, on the main thread and in Node (where only `cpu`
 * and `wasm` exist). A GPU backend that runs on a software rasteriser (SwiftShader, llvmpipe) is passed
 * over unless it was asked for alone: on a 2-core machine WebGPU on SwiftShader trained a MiniLM step
 * 10-100x slower than WASM (bench/README.md).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
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
  /** Threads the WASM backend runs on (1 unless the page is cross-origin isolated); only on wasm. */
  wasmThreads?: number;
}

/** What to do with a GPU backend whose device is a software rasteriser on the CPU. */
export type SoftwareGpuPolicy = 'skip' | 'use';

export interface BackendOptions {
  /** Backends to try, in order; the default is BACKEND_ORDER. */
  order?: readonly BackendName[];
  /** Where the WASM backend's .wasm files are served from (a folder URL, or a map of file name to URL). */
  wasmPaths?: string | Record<string, string>;
  /**
   * Threads for the WASM backend when the page is cross-origin isolated (otherwise it runs on one). tf.js's
   * own default is half the cores (one on a 2-core machine); the default here is every core the runtime reports.
   */
  wasmThreads?: number;
  /** Software GPUs: 'skip' (the default when `order` has several backends) or 'use' (default for one). */
  softwareGpu?: SoftwareGpuPolicy;
}

/** Whether a GPU description (WebGPU vendor + architecture, or the WebGL renderer) names a software rasteriser. */
export function isSoftwareGpu(description: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render driver/i.test(description);
}

/** Cores the runtime reports (navigator.hardwareConcurrency), 1 where it reports none. */
function logicalCores(): number {
  const n = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined;
  return typeof n === 'number' && n >= 1 ? n : 1;
}

/** Whether SharedArrayBuffer is usable here, so tf.js can load its threaded WASM build. */
function crossOriginIsolatedHere(): boolean {
  return typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
}

/**
 * Runs `start` while navigator.hardwareConcurrency reads 2·threads. tf.js's threaded WASM build caps its
 * XNNPACK thread pool at half the reported cores (it assumes two hyper-threads per core) and pre-spawns
 * workers for that many, so a 2-core machine would get one thread; the count is read only while the
 * module starts, and the real value is visible again as soon as `start` settles.
 */
async function withReportedCores<T>(threads: number, start: () => Promise<T>): Promise<T> {
  if (!crossOriginIsolatedHere() || threads * 2 <= logicalCores()) return start();
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => threads * 2 });
  try {
    return await start();
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
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

/** The WebGL renderer string, where the context exposes it. */
function webglRenderer(): string {
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } };
  const gl = backend.gpgpu?.gl;
  if (!gl) return '';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
}

/** Why a started GPU backend should be passed over, or null to keep it. */
function softwareReason(name: BackendName): string | null {
  if (name !== 'webgpu' && name !== 'webgl') return null;
  const device = name === 'webgpu' ? adapterDescription() : webglRenderer();
  return isSoftwareGpu(device) ? `its device is a software rasteriser (${device}), slower than WASM on the CPU` : null;
}

/** Switches tf.js to the first backend of `order` that initialises. */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const order = options.order ?? BACKEND_ORDER;
  if (options.wasmPaths) setWasmPaths(options.wasmPaths);
  const wasmThreads = options.wasmThreads ?? logicalCores();
  setThreadsCount(wasmThreads);
  const softwareGpu = options.softwareGpu ?? (order.length === 1 ? 'use' : 'skip');
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    if (name === 'wasm') registerWasmTrainingKernels();
    const reason = name === 'wasm' ? await withReportedCores(wasmThreads, () => tryBackend(name)) : await tryBackend(name);
    const passOver = reason ?? (softwareGpu === 'skip' ? softwareReason(name) : null);
    if (passOver === null) {
      const adapter = name === 'webgpu' ? adapterDescription() : undefined;
      return { name, skipped, adapter, ...(name === 'wasm' ? { wasmThreads: getThreadsCount() } : {}) };
    }
    skipped.push({ name, reason: passOver });
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
}
