/**
 * The last step of bench/gpu/run.sh: reads the run's JSON lines (a file, or stdin) and prints one
 * {"kind":"ratio",…} line per engine training result with a PyTorch result of the same batch × length
 * (engine ÷ PyTorch pairs/s), then the same as sentences on stderr. Lines that are not JSON are skipped.
 */
import { readFileSync } from 'node:fs';
import { ratios, ratioSentence, type RatedLine } from '../compare';

/** The JSON objects among `text`'s lines that carry a target and a kind. */
export function resultLines(text: string): RatedLine[] {
  const out: RatedLine[] = [];
  for (const raw of text.split('\n')) {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      continue;
    }
    if (typeof v === 'object' && v !== null && typeof (v as RatedLine).target === 'string' && typeof (v as RatedLine).kind === 'string') out.push(v as RatedLine);
  }
  return out;
}

if (process.argv[1]?.endsWith('ratio.ts')) {
  const text = readFileSync(process.argv[2] ?? 0, 'utf8');
  const rated = ratios(resultLines(text));
  for (const r of rated) process.stdout.write(`${JSON.stringify(r)}\n`);
  for (const r of rated) process.stderr.write(`${ratioSentence(r)} (${r.batch} x ${r.seq_len})\n`);
  if (rated.length === 0) process.stderr.write('no engine and PyTorch results of the same batch x length to compare\n');
}
