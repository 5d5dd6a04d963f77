/** Node-only: a model folder on disk as a `ModelFileSource`. */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { EngineError } from '../errors';
import { normalizePath, type ModelFileSource } from './fileSource';

/** Files are read lazily; paths that would leave `dir` are treated as absent. */
export function sourceFromDirectory(dir: string): ModelFileSource {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new EngineError('missing_file', `model folder '${dir}' does not exist or is not a directory; pass the folder that holds config.json.`);
  }
  const locate = (path: string): string | null => {
    const full = resolve(join(root, normalizePath(path)));
    if (full !== root && !full.startsWith(root + sep)) return null;
    return existsSync(full) && statSync(full).isFile() ? full : null;
  };
  return {
    description: `the folder '${basename(root)}'`,
    has: (path) => locate(path) !== null,
    read: async (path) => {
      const full = locate(path);
      if (full === null) return null;
      const buf = await readFile(full);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
  };
}
