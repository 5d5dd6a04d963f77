/**
 * The engine against PyTorch in one run: for each engine training result, the torch result of the same family,
 * batch × length (where the lines say) and thread count, and the ratio of their pairs/s (engine ÷ torch; 1 = as fast, < 1 = slower). Pure.
 */

/** What the comparison reads of a result line; `threads` null = not a CPU thread pool (webgpu, webgl). */
export interface RatedLine {
  target: string;
  kind: string;
  family?: string;
  threads?: number | null;
  pairs_per_s?: number;
  batch?: number | null;
  seq_len?: number | null;
}

export interface Ratio {
  kind: 'ratio';
  target: string;
  family: string;
  batch: number | null;
  seq_len: number | null;
  /** The engine's threads; null for the GPU backends, compared with torch on the most threads measured. */
  threads: number | null;
  torch_threads: number;
  engine_pairs_per_s: number;
  torch_pairs_per_s: number;
  ratio: number;
}

const measured = (l: RatedLine): l is RatedLine & { pairs_per_s: number } =>
  l.kind === 'train' && typeof l.pairs_per_s === 'number' && Number.isFinite(l.pairs_per_s) && l.pairs_per_s > 0;

/**
 * One Ratio per engine training result that has a torch result to stand beside: torch at the same thread count,
 * or (engine threads null) torch at its highest thread count. Engine results without a match are left out.
 */
export function ratios(lines: readonly RatedLine[]): Ratio[] {
  const torch = lines.filter((l) => l.target === 'torch' && measured(l)) as (RatedLine & { pairs_per_s: number })[];
  const out: Ratio[] = [];
  for (const l of lines) {
    if (l.target === 'torch' || !measured(l)) continue;
    const family = l.family ?? 'bert';
    const same = torch.filter((t) => (t.family ?? 'bert') === family && typeof t.threads === 'number' && t.batch === l.batch && t.seq_len === l.seq_len);
    const threads = typeof l.threads === 'number' ? l.threads : null;
    const match = threads === null
      ? [...same].sort((a, b) => (b.threads as number) - (a.threads as number))[0]
      : same.find((t) => t.threads === threads);
    if (!match) continue;
    out.push({
      kind: 'ratio', target: l.target, family, batch: l.batch ?? null, seq_len: l.seq_len ?? null, threads, torch_threads: match.threads as number,
      engine_pairs_per_s: l.pairs_per_s, torch_pairs_per_s: match.pairs_per_s, ratio: l.pairs_per_s / match.pairs_per_s,
    });
  }
  return out;
}

/** "wasm (2 threads): engine 3.82 pairs/s, PyTorch 6.41 pairs/s (2 threads), ratio 0.60×". */
export function ratioSentence(r: Ratio): string {
  const th = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
  const who = r.threads === null ? `${r.target}` : `${r.target} (${th(r.threads)})`;
  return `${who}: engine ${r.engine_pairs_per_s.toFixed(2)} pairs/s, PyTorch ${r.torch_pairs_per_s.toFixed(2)} pairs/s (${th(r.torch_threads)}), ratio ${r.ratio.toFixed(2)}×`;
}
