/** Node-only: the memory budget of a training run in Node, from the machine's RAM and the backend's heap. */
import { totalmem } from 'node:os';
import { USABLE_MEMORY_SHARE, WASM_HEAP_BYTES, type MemoryBudget } from './memory';

/**
 * A share of the machine's RAM; on the WASM backend at most its 4 GB heap, where every tensor lives.
 * `totalBytes` defaults to os.totalmem().
 */
export function nodeMemoryBudget(backend: 'wasm' | 'cpu', totalBytes: number = totalmem()): MemoryBudget {
  const share = Math.floor(totalBytes * USABLE_MEMORY_SHARE);
  if (backend === 'wasm' && WASM_HEAP_BYTES < share) return { budgetBytes: WASM_HEAP_BYTES, maxTensorBytes: null, source: "the WASM backend's memory limit" };
  const gb = (totalBytes / 2 ** 30).toFixed(1);
  return { budgetBytes: share, maxTensorBytes: null, source: `${Math.round(USABLE_MEMORY_SHARE * 100)}% of this machine's ${gb} GB of RAM` };
}
