/**
 * Saving to the browser's storage without ever losing what is in memory: a save is checked against the page's
 * quota first (navigator.storage.estimate()), and a write that fails anyway (QuotaExceededError, an aborted
 * transaction) becomes a StorageProblem the page shows next to the control that caused it. Nothing here throws.
 */
import type { SavedPart, StorageProblem } from './protocol';

/** What navigator.storage.estimate() tells; null fields when the browser does not say. */
export interface StorageEstimate {
  usage: number | null;
  quota: number | null;
}

export type Estimator = () => Promise<StorageEstimate>;

/** The browser's estimate of this page's storage use and quota. */
export async function estimateStorage(): Promise<StorageEstimate> {
  try {
    const storage = (globalThis.navigator as Navigator | undefined)?.storage;
    if (storage?.estimate === undefined) return { usage: null, quota: null };
    const e = await storage.estimate();
    return { usage: e.usage ?? null, quota: e.quota ?? null };
  } catch {
    return { usage: null, quota: null };
  }
}

/** Whether a failed write failed for lack of space. */
export function isQuotaError(e: unknown): boolean {
  const name = e instanceof Error || e instanceof DOMException ? e.name : '';
  const message = e instanceof Error || e instanceof DOMException ? e.message : String(e);
  return name === 'QuotaExceededError' || /quota|disk (is )?full|no space/i.test(message);
}

/**
 * Whether `needed` bytes fit, counting the `freed` bytes the same write replaces. Unknown estimates fit (the
 * write itself will tell).
 */
export function fits(needed: number, freed: number, estimate: StorageEstimate): boolean {
  if (estimate.usage === null || estimate.quota === null) return true;
  return needed - freed <= estimate.quota - estimate.usage;
}

export interface SaveRequest {
  part: SavedPart;
  subject: string;
  /** Bytes the write adds, when known (a checkpoint's size, a file's size). */
  neededBytes: number | null;
  /** Bytes the write replaces (the previous checkpoint of the same run). */
  freedBytes?: number;
  write: () => Promise<void>;
}

/** Runs `request.write` unless it cannot fit; resolves with the problem, or null when it was saved. */
export async function guardedSave(request: SaveRequest, estimate: Estimator = estimateStorage): Promise<StorageProblem | null> {
  const problem = (reason: StorageProblem['reason'], detail: string, e: StorageEstimate): StorageProblem => ({
    part: request.part,
    subject: request.subject,
    reason,
    detail,
    neededBytes: request.neededBytes,
    usageBytes: e.usage,
    quotaBytes: e.quota,
  });
  if (request.neededBytes !== null) {
    const before = await estimate();
    if (!fits(request.neededBytes, request.freedBytes ?? 0, before)) return problem('quota', 'not enough space left', before);
  }
  try {
    await request.write();
    return null;
  } catch (e) {
    const quota = isQuotaError(e);
    if (!quota) console.warn(`could not save the ${request.part}`, e);
    const detail = e instanceof Error || e instanceof DOMException ? `${e.name}: ${e.message}`.replace(/:\s*$/, '') : String(e);
    return problem(quota ? 'quota' : 'error', detail, await estimate());
  }
}
