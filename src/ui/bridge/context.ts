/** What the bridge's features share: the store, the page's services and the worker channel. */
import type { DatasetRole, RequestType, Results } from '../../worker/protocol';
import type { RunPlanner } from '../runPlanner';
import type { Studio, StudioStore } from '../store';
import type { TransformersWorkerLike } from '../transformersClient';
import type { Body } from './channel';

/** Page services the bridge uses for downloads (replaced in tests). */
export interface PageServices {
  createUrl(blob: Blob): string;
  revokeUrl(url: string): void;
  download(url: string, fileName: string): void;
  /** Starts the transformers.js worker (absent where it cannot run, e.g. unit tests of other parts). */
  transformersWorker?: () => TransformersWorkerLike;
}

export interface BridgeContext {
  readonly store: StudioStore;
  readonly page: PageServices;
  readonly planner: RunPlanner;
  /** The store's state now. */
  s(): Studio;
  /** Sends a request; resolves with its result, rejects with its error (already routed to the store). */
  send<T extends RequestType>(body: Body<T>, role?: DatasetRole): Promise<Results[T]>;
  /** Runs a request for its store effects; null when it failed (the failure is already in the store). */
  fire<T extends RequestType>(body: Body<T>, role?: DatasetRole): Promise<Results[T] | null>;
  /** The id of a pending request of `type`. */
  pendingId(type: RequestType): number | undefined;
  /** Reloads the Saved runs list and the storage estimate. */
  refreshStorage(): Promise<void>;
  /** The encoder changes (new run, model or split): the exported ONNX model no longer stands for it. */
  forgetOnnxExport(): void;
  /** The Hub token to send with a Hub download, null when none was given. */
  hubToken(): string | null;
}
