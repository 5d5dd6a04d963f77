/**
 * The page's end of the worker protocol: assigns request ids, keeps the pending requests, and hands every worker
 * message to its request type's route (one table, protocol.ts Results typing each result).
 */
import type { BodyOf, DatasetRole, RequestOf, RequestType, Results, TrainingMetrics, WorkerRequest, WorkerResponse } from '../../worker/protocol';
import type { TaskProgress } from '../store';

/** What the bridge needs of a Worker (a fake in tests). */
export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent<WorkerResponse>) => void) | null;
}

/** A request sent and not answered yet. */
export interface Pending<T extends RequestType = RequestType> {
  type: T;
  /** A loadDataset request's dataset. */
  role?: DatasetRole;
  resolve: (r: Results[T]) => void;
  reject: (e: Error) => void;
}

/** A request body of type T; `type` spelled out so that T is inferred from the body. */
export type Body<T extends RequestType> = BodyOf<T> & { type: T };

/** What the page does with the messages about one type of request (nothing where a part is absent). */
export interface Route<T extends RequestType> {
  progress?: (progress: TaskProgress, pending: Pending<T>) => void;
  metrics?: (metrics: TrainingMetrics) => void;
  /** Store effects of the result, before the request's promise resolves. */
  done?: (result: Results[T]) => void;
  /** Shows the error next to the control that caused it. */
  failed?: (message: string, code: string | null, pending: Pending<T>) => void;
}

/** Every request type's route. */
export type Routes = { [T in RequestType]: Route<T> };

export class Channel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly worker: WorkerLike,
    private readonly routes: Routes,
  ) {
    worker.onmessage = (ev) => this.route(ev.data);
  }

  /** Sends a request; resolves with its result, rejects with its error (already routed to the store). */
  send<T extends RequestType>(body: Body<T>, role?: DatasetRole): Promise<Results[T]> {
    const id = this.nextId++;
    const request = { ...body, id } as RequestOf<T>;
    return new Promise<Results[T]>((resolve, reject) => {
      const pending: Pending<T> = { type: body.type, role, resolve, reject };
      // Kept with the other types' requests; route() answers it with the result of its own type.
      this.pending.set(id, pending as unknown as Pending);
      this.worker.postMessage(request, []);
    });
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** The id of a pending request of `type`, the oldest first. */
  pendingId(type: RequestType): number | undefined {
    return [...this.pending].find(([, p]) => p.type === type)?.[0];
  }

  /** Routes one worker message. */
  route(message: WorkerResponse): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    // A pending request and its route share a type; TypeScript cannot correlate the two, the table's type does.
    const route = this.routes[p.type] as Route<RequestType>;
    switch (message.type) {
      case 'progress':
        route.progress?.({ done: message.done, total: message.total, label: message.label, unit: message.unit }, p);
        return;
      case 'metrics':
        route.metrics?.(message.metrics);
        return;
      case 'result':
        this.pending.delete(message.id);
        route.done?.(message.result);
        p.resolve(message.result);
        return;
      case 'error': {
        this.pending.delete(message.id);
        route.failed?.(message.error.message, message.error.code, p);
        const error = new Error(message.error.message);
        error.name = message.error.name;
        p.reject(error);
        return;
      }
    }
  }
}
