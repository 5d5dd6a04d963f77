/** Node-only: writes a file map (from `buildSentenceTransformersFolder`) under a directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../errors';

/** Relative '/'-separated path with no '..', '.' or empty segments (a trailing '/' marks a folder). */
function checkedSegments(path: string): string[] {
  const segments = path.replace(/\/$/, '').split('/');
  if (path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
    throw new EngineError('bad_option', `cannot write '${path}': file paths must be relative and stay inside the output folder.`);
  }
  return segments;
}

/**
 * Writes every file under `dir` (created if needed); a path ending in '/' becomes an empty directory.
 * Existing files with the same names are overwritten.
 */
export async function writeFolder(dir: string, files: Map<string, Uint8Array> | Record<string, Uint8Array>): Promise<void> {
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  for (const [path] of entries) checkedSegments(path);
  await mkdir(dir, { recursive: true });
  for (const [path, bytes] of entries) {
    const target = join(dir, ...checkedSegments(path));
    if (path.endsWith('/')) {
      await mkdir(target, { recursive: true });
    } else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
  }
}
