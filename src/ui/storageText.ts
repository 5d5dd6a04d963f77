/** What the page says about a save that failed: what, why (with the storage numbers), what is kept, what to do. */
import type { StorageProblem } from '../worker/protocol';
import { formatBytes } from './format';

function what(p: StorageProblem): string {
  switch (p.part) {
    case 'checkpoint':
      return p.subject === 'run history' ? "the run's history" : `the checkpoint at ${p.subject}`;
    case 'model':
      return `the model ${p.subject}`;
    case 'validation':
      return `the validation file ${p.subject}`;
    case 'dataset':
      return `the dataset ${p.subject}`;
  }
}

/** "1.2 MB used of 5.0 MB (0.3 MB free); it needs 1.1 MB", or what of it the browser told. */
export function storageNumbers(p: Pick<StorageProblem, 'usageBytes' | 'quotaBytes' | 'neededBytes'>): string {
  const parts: string[] = [];
  if (p.usageBytes !== null && p.quotaBytes !== null) {
    parts.push(`${formatBytes(p.usageBytes)} used of ${formatBytes(p.quotaBytes)} (${formatBytes(Math.max(0, p.quotaBytes - p.usageBytes))} free)`);
  } else {
    parts.push('the browser does not tell how much is used');
  }
  if (p.neededBytes !== null) parts.push(`it needs ${formatBytes(p.neededBytes)}`);
  return parts.join('; ');
}

export function storageProblemText(p: StorageProblem): string {
  const why =
    p.reason === 'quota'
      ? `this browser's storage for the studio is full (${storageNumbers(p)})`
      : `the browser refused the write (${p.detail}; ${storageNumbers(p)})`;
  const kept =
    p.part === 'checkpoint'
      ? 'Training goes on and nothing in this tab is lost, but after a reload the run could not resume from this point.'
      : `It is loaded and works in this tab, but after a reload it would have to be loaded again.`;
  const fix =
    p.part === 'checkpoint'
      ? "Delete older runs under Saved runs and storage below, or free browser storage (other sites' data); the next checkpoint is saved once there is room."
      : "Delete older runs under Saved runs and storage (below the Train step), or free browser storage (other sites' data), then load it again.";
  return `Could not save ${what(p)}: ${why}. ${kept} ${fix}`;
}
