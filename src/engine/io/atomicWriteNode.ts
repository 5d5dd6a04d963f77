/**
 * Node-only: replaces a file atomically. The bytes go to a temporary file in the same folder, which is flushed
 * to disk (fsync) and then renamed over the target; a crash or an error at any point before the rename leaves
 * the previous file as it was, and a rename within one folder never leaves a half-written target.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file-system calls the writer makes; tests swap one out to inject a failure. */
export interface AtomicWriteFs {
  open: typeof open;
  rename: typeof rename;
  rm: typeof rm;
}

const NODE_FS: AtomicWriteFs = { open, rename, rm };

/** Name of the temporary file for `path`: hidden, in the same folder, unique to this process and call. */
export function temporaryPathFor(path: string): string {
  const suffix = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

/** Flushes the folder entry so a rename survives a power cut (best effort: not every OS allows it). */
export async function syncFolder(dir: string, fs: Pick<AtomicWriteFs, 'open'> = NODE_FS): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows and some file systems refuse to open or fsync a directory; the file itself is already on disk.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * Writes `bytes` in full to a new temporary file next to `path` and flushes it to disk (fsync); returns its name.
 * On failure (a full disk) the temporary file is removed and the error rethrown; `path` itself is never touched.
 */
export async function writeTemporary(path: string, bytes: Uint8Array, fs: AtomicWriteFs = NODE_FS): Promise<string> {
  const temporary = temporaryPathFor(path);
  try {
    const handle = await fs.open(temporary, 'wx');
    try {
      let written = 0;
      while (written < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written);
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw e;
  }
  return temporary;
}

/**
 * Writes `bytes` to `path` atomically (see the file comment). On failure the temporary file is removed and the
 * error is rethrown; `path` keeps its old content, or stays absent.
 */
export async function atomicWriteFile(path: string, bytes: Uint8Array, fs: AtomicWriteFs = NODE_FS): Promise<void> {
  const temporary = await writeTemporary(path, bytes, fs);
  try {
    await fs.rename(temporary, path);
  } catch (e) {
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw e;
  }
  await syncFolder(dirname(path), fs);
}
