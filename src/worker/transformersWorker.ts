/// <reference lib="webworker" />
/**
 * The transformers.js worker: runs an exported ONNX model with transformers.js on onnxruntime-web (WASM), away
 * from the training worker's tf.js and off the page's thread. Created by the page on first use; transformers.js
 * itself is imported on the first request. Answers TransformersRequests (see protocol.ts).
 */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import type { TransformersRequest, TransformersResponse } from './protocol';
import { serializeError } from './serializeError';
import { runTransformersCheck } from './transformersCheck';

type Post = (message: TransformersResponse, transfer?: Transferable[]) => void;

/** Wires the check to a message port (the worker's global scope). */
export function serveTransformers(scope: { onmessage: ((ev: MessageEvent<TransformersRequest>) => void) | null; postMessage: Post }): void {
  const post: Post = (m, t) => scope.postMessage(m, t ?? []);
  const wasmPaths = { wasm: new URL(ortWasmUrl, self.location.origin).href, mjs: new URL(ortMjsUrl, self.location.origin).href };

  async function handle(req: TransformersRequest): Promise<TransformersResponse> {
    const progress = (label: string) => post({ type: 'progress', id: req.id, unit: 'bytes', done: 0, total: null, label });
    progress('loading transformers.js');
    const transformers = await import('@huggingface/transformers');
    const zip = new Uint8Array(await req.zip.arrayBuffer());
    const modelId = `exported-model-${req.id}`;
    const comparison = await runTransformersCheck(transformers, zip, req.reference, { modelId, device: 'wasm', wasmPaths, progress });
    return { type: 'result', id: req.id, result: { type: 'onnxComparison', comparison } };
  }

  scope.onmessage = (ev) => {
    const req = ev.data;
    handle(req).then(post, (e: unknown) => post({ type: 'error', id: req.id, error: serializeError(e) }));
  };
}

serveTransformers(self as unknown as DedicatedWorkerGlobalScope & { onmessage: ((ev: MessageEvent<TransformersRequest>) => void) | null; postMessage: Post });
