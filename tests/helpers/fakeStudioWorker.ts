/** A fake training worker for bridge tests: records requests, replies on demand; and a bridge + store over it. */
import { StudioBridge, type WorkerLike } from '../../src/ui/bridge';
import { createStudioStore } from '../../src/ui/store';
import type { WorkerRequest, WorkerResponse } from '../../src/worker/protocol';

export class FakeStudioWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<WorkerResponse>) => void) | null = null;
  readonly sent: WorkerRequest[] = [];
  postMessage(message: WorkerRequest): void {
    this.sent.push(message);
  }
  reply(message: WorkerResponse): void {
    this.onmessage?.({ data: message } as MessageEvent<WorkerResponse>);
  }
  last(): WorkerRequest {
    return this.sent[this.sent.length - 1];
  }
}

/** A bridge and store over a fake worker, with page services that do nothing. */
export function fakeStudio() {
  const worker = new FakeStudioWorker();
  const store = createStudioStore();
  const bridge = new StudioBridge(worker, store, { createUrl: () => 'blob:x', revokeUrl: () => {}, download: () => {} });
  return { worker, store, bridge };
}

export const tick = () => new Promise((r) => setTimeout(r, 0));
