/**
 * `train --out DIR`, checked before any work: that the folder can be created and written (a probe file is
 * created and removed, in DIR or in its nearest existing parent, so nothing is left behind), and, once config.json
 * is read and before the weights are, that its file system has room for the model (statfs). A read-only folder or
 * a full disk then costs nothing, instead of the whole run at the save.
 */
import { existsSync, readdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ModelConfig } from '../engine/model/config';
import { estimateParameterCount } from '../engine/model/parseConfig';
import { CliError } from './args';
import { fsReason } from './io';

/** What the writer adds to the weights and the copied files: headers, the small sentence-transformers files. */
const OUTPUT_SLACK_BYTES = 64 * 1024;

/** "3.6 MB" below a gigabyte, "1.2 GB" above (decimal units, one decimal). */
export function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function cannotWrite(dir: string, why: string): CliError {
  return new CliError(`cannot write the model to ${dir} (--out): ${why}`);
}

/** The folder itself if it exists, else its nearest existing parent (where `mkdir -p` would start). */
function nearestExisting(dir: string): string {
  let d = resolve(dir);
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/**
 * Refuses an --out that cannot be written: a file, a path under a file, a folder where no file can be created
 * (read-only, no permission). Creates nothing that stays: a probe file is written and removed at once.
 */
export function checkOutputWritable(dir: string): void {
  const base = nearestExisting(dir);
  if (!statSync(base).isDirectory()) {
    throw cannotWrite(dir, `${base === resolve(dir) ? 'it' : base} is a file, not a folder; pick another --out`);
  }
  const probe = join(base, `.embedding-studio-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    writeFileSync(probe, 'probe', { flag: 'wx' });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    // ENOENT although the folder exists: a virtual file system (such as /proc) that takes no new files.
    const reason = code === 'ENOENT' ? 'the folder takes no new files' : (fsReason(e) ?? 'no file can be created there');
    throw cannotWrite(dir, `${reason}; pick a folder you can write to as --out`);
  }
  rmSync(probe, { force: true });
}

/** Null when `freeBytes` holds `neededBytes`, else the one-line refusal. Pure, so a full disk is testable. */
export function roomProblem(dir: string, neededBytes: number, freeBytes: number): string | null {
  if (freeBytes >= neededBytes) return null;
  return `cannot write the model to ${dir} (--out): it needs about ${formatBytes(neededBytes)} and the disk has only ${formatBytes(freeBytes)} free; free some space or pick another --out`;
}

/** Bytes the saved folder takes: float32 weights (the CLI always saves float32) plus the tokenizer and JSON files. */
export function modelOutputBytes(config: ModelConfig, modelDir: string): number {
  let copied = 0;
  for (const name of readdirSync(modelDir)) {
    if (!/\.(json|txt)$/.test(name)) continue;
    const s = statSync(join(modelDir, name));
    if (s.isFile()) copied += s.size;
  }
  // The JSON files are written back re-indented: allow twice their size.
  return estimateParameterCount(config) * 4 + 2 * copied + OUTPUT_SLACK_BYTES;
}

/** The free bytes statfs reports for unprivileged users. */
export type StatFs = (path: string) => { bavail: number; bsize: number };

/**
 * Refuses an --out whose file system lacks `neededBytes`. Writing in place needs the full size too: every file
 * is written next to the one it replaces before any is renamed.
 */
export function checkOutputRoom(dir: string, neededBytes: number, statfs: StatFs = statfsSync): void {
  const { bavail, bsize } = statfs(nearestExisting(dir));
  const problem = roomProblem(dir, neededBytes, Number(bavail) * Number(bsize));
  if (problem !== null) throw new CliError(problem);
}
