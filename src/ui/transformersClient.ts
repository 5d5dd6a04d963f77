/**
 * The page's side of the transformers.js worker (protocol.ts: TransformersRequest / TransformersResponse):
 * request ids, progress labels, one result or error per request. The worker is created on first use.
 */
import type { OnnxComparison, OnnxReference, TransformersRequest, TransformersResponse } from '../worker/protocol';

/** What the client needs of the worker (a fake in tests). */
export interface TransformersWorkerLike {
  postMessage(message: TransformersRequest, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent<TransformersResponse>) => void) | null;
  /** A script that fails to load or throws outside a request (every pending request then fails). */
  onerror: ((ev: ErrorEvent) => void) | null;
  terminate(): void;
}

interface Pending {
  resolve: (c: OnnxComparison) => void;
  reject: (e: Error) => void;
  progress: (label: string) => void;
}

export class TransformersClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private worker: TransformersWorkerLike | null = null;

  constructor(private readonly create: () => TransformersWorkerLike) {}

  /** Runs the exported zip's ONNX model on the reference texts; `progress` gets what is happening. */
  compare(zip: Blob, reference: OnnxReference, progress: (label: string) => void): Promise<OnnxComparison> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      worker.postMessage({ type: 'compareOnnx', id, zip, reference }, [reference.vectors.buffer as ArrayBuffer]);
    });
  }

  private ensureWorker(): TransformersWorkerLike {
    if (this.worker === null) {
      const worker = this.create();
      worker.onmessage = (ev) => this.route(ev.data);
      worker.onerror = (ev) => this.crashed(worker, ev.message || 'the transformers.js worker could not start');
      this.worker = worker;
    }
    return this.worker;
  }

  /** Fails every pending request instead of leaving it waiting; the next request starts a fresh worker. */
  private crashed(worker: TransformersWorkerLike, message: string): void {
    worker.terminate();
    if (this.worker === worker) this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  private route(message: TransformersResponse): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    if (message.type === 'progress') return p.progress(message.label);
    this.pending.delete(message.id);
    if (message.type === 'result') return p.resolve(message.result.comparison);
    const error = new Error(message.error.message);
    error.name = message.error.name;
    p.reject(error);
  }
}
