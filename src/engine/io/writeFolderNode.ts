/**
 * Node-only: writes a file map (from `buildSentenceTransformersFolder`) under a directory, all or nothing. Every
 * file first goes to a temporary file next to its target, written in full and flushed (fsync); only once all of
 * them are on disk are they renamed over their targets. A failure while writing (a full disk, a read-only
 * folder) removes the temporaries and the folders this call created, so the previous files stay as they were,
 * byte for byte, which matters most when a run writes back into the folder it trained from. A failure during
 * the renames (rare: a rename within a folder needs no space) puts the replaced files back from hard links
 * taken just before. Files of other names in the folder are left alone.
 */
import { link, mkdir, open, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EngineError } from '../errors';
import { syncFolder, temporaryPathFor, writeTemporary, type AtomicWriteFs } from './atomicWriteNode';

/** The file-system calls the writer makes; tests swap one out to inject a failure. */
export interface WriteFolderFs extends AtomicWriteFs {
  mkdir: typeof mkdir;
  link: typeof link;
  rmdir: typeof rmdir;
}

const NODE_FS: WriteFolderFs = { open, rename, rm, mkdir, link, rmdir };

/** Relative '/'-separated path with no '..', '.' or empty segments (a trailing '/' marks a folder). */
function checkedSegments(path: string): string[] {
  const segments = path.replace(/\/$/, '').split('/');
  if (path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
    throw new EngineError('bad_option', `cannot write '${path}': file paths must be relative and stay inside the output folder.`);
  }
  return segments;
}

/** A file staged for the commit: its temporary copy, and a hard link to the file it replaces (if there was one). */
interface Staged {
  target: string;
  temporary: string;
  backup: string | null;
}

async function removeQuietly(path: string, fs: WriteFolderFs): Promise<void> {
  await fs.rm(path, { force: true }).catch(() => {});
}

/** Creates `dir` and any missing parents; records each folder it created (`first` down to `dir`), for the clean-up. */
async function makeFolder(dir: string, created: string[], fs: WriteFolderFs): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = resolve(dir); d.length >= resolve(first).length; d = dirname(d)) {
    created.push(d);
    if (d === dirname(d)) break;
  }
}

/** Removes the folders this call created (deepest first), each only if it is empty again. */
async function removeCreated(created: string[], fs: WriteFolderFs): Promise<void> {
  const all = [...created].sort((a, b) => b.length - a.length);
  for (const dir of all) await fs.rmdir(dir).catch(() => {});
}

/** A hard link to the current file at `target`, or null when there is none (or the file system has no hard links). */
async function backUp(target: string, fs: WriteFolderFs): Promise<string | null> {
  const backup = temporaryPathFor(target).replace(/\.tmp$/, '.bak');
  try {
    await fs.link(target, backup);
    return backup;
  } catch {
    return null;
  }
}

/** Renames every temporary over its target; on a failure, restores the targets already replaced. */
async function commit(staged: Staged[], fs: WriteFolderFs): Promise<void> {
  let done = 0;
  try {
    for (const s of staged) {
      s.backup = await backUp(s.target, fs);
      await fs.rename(s.temporary, s.target);
      done++;
    }
  } catch (e) {
    for (const s of staged.slice(0, done)) {
      if (s.backup !== null) await fs.rename(s.backup, s.target).catch(() => {});
      else await removeQuietly(s.target, fs);
    }
    for (const s of staged.slice(done)) await removeQuietly(s.temporary, fs);
    for (const s of staged) if (s.backup !== null) await removeQuietly(s.backup, fs);
    throw e;
  }
  for (const s of staged) if (s.backup !== null) await removeQuietly(s.backup, fs);
}

/**
 * Writes every file under `dir` (created if needed), all or nothing (see the file comment); a path ending in
 * '/' becomes an empty directory. Existing files with the same names are replaced, others are kept.
 */
export async function writeFolder(dir: string, files: Map<string, Uint8Array> | Record<string, Uint8Array>, fs: WriteFolderFs = NODE_FS): Promise<void> {
  const entries = (files instanceof Map ? [...files] : Object.entries(files)).map(([path, bytes]) => ({ path, bytes, target: join(dir, ...checkedSegments(path)) }));
  const created: string[] = [];
  const staged: Staged[] = [];
  try {
    await makeFolder(dir, created, fs);
    for (const e of entries) await makeFolder(e.path.endsWith('/') ? e.target : dirname(e.target), created, fs);
    for (const e of entries) {
      if (e.path.endsWith('/')) continue;
      staged.push({ target: e.target, temporary: await writeTemporary(e.target, e.bytes, fs), backup: null });
    }
  } catch (e) {
    for (const s of staged) await removeQuietly(s.temporary, fs);
    await removeCreated(created, fs);
    throw e;
  }
  try {
    await commit(staged, fs);
  } catch (e) {
    await removeCreated(created, fs);
    throw e;
  }
  for (const folder of new Set(staged.map((s) => dirname(s.target)))) await syncFolder(folder, fs);
}
