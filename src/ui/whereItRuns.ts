/**
 * The masthead's plain words for what runs where: on the graphics card (WebGPU) or the processor (WebAssembly),
 * why the graphics card is not used when it is not, and what leaves the machine (nothing, unless the user
 * names a Hub model or dataset to download, or publishes).
 */
export interface BackendFacts {
  status: 'starting' | 'ready' | 'error';
  name: string | null;
  adapter: string | null;
  threads: number | null;
  /** "name: reason; …" for each backend passed over on the way to this one. */
  skipped: string | null;
}

const PRIVACY = 'Your data stays on this machine: only a model or dataset you name is downloaded from the Hugging Face Hub, and nothing is uploaded unless you publish.';

/** Why WebGPU was passed over, from the worker's "webgpu: reason; …" wording; null when it was not. */
function webgpuSkipped(skipped: string | null): string | null {
  const part = (skipped ?? '').split('; ').find((p) => p.startsWith('webgpu: '));
  return part ? part.slice('webgpu: '.length) : null;
}

/** One or two sentences: where training runs in this tab, then what leaves the machine. */
export function whereItRuns(b: BackendFacts): string {
  let where: string;
  if (b.status === 'error') where = 'Training cannot start in this browser: neither the graphics card (WebGPU) nor the processor (WebAssembly) is available.';
  else if (b.status === 'starting' || b.name === null) where = 'Fine-tune a sentence-embedding model in this tab.';
  else if (b.name === 'webgpu') where = `Training runs in this tab on your graphics card (WebGPU${b.adapter ? `, ${b.adapter}` : ''}).`;
  else {
    const threads = b.threads !== null ? `, ${b.threads} thread${b.threads === 1 ? '' : 's'}` : '';
    const why = webgpuSkipped(b.skipped);
    const unit = b.name === 'wasm' ? `WebAssembly${threads}` : b.name;
    where = `Training runs in this tab on your processor (${unit}), slower than a graphics card${why ? `: WebGPU could not be used (${why})` : ''}.`;
  }
  return `${where} ${PRIVACY}`;
}
