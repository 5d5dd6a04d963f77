/**
 * Where a model folder's files come from: an in-memory record, a browser directory pick (File[]), or
 * (in `modelFolderNode.ts`) a directory on disk. Paths are folder-relative with '/' separators.
 */

/** A read-only view of a model folder. */
export interface ModelFileSource {
  /** Shown in error messages, e.g. "the folder 'all-MiniLM-L6-v2'". */
  description: string;
  has(path: string): boolean;
  /** The file's bytes, or null when it does not exist. */
  read(path: string): Promise<Uint8Array | null>;
}

/** Normalises a relative path: '/' separators, no leading './' or '/'. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

async function toUint8Array(v: Uint8Array | ArrayBuffer | Blob): Promise<Uint8Array> {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return new Uint8Array(await v.arrayBuffer());
}

/** A source over in-memory files keyed by relative path. */
export function sourceFromRecord(
  files: Record<string, Uint8Array | ArrayBuffer | Blob>,
  description = 'the uploaded files',
): ModelFileSource {
  const byPath = new Map(Object.entries(files).map(([k, v]) => [normalizePath(k), v] as const));
  return {
    description,
    has: (path) => byPath.has(normalizePath(path)),
    read: async (path) => {
      const v = byPath.get(normalizePath(path));
      return v === undefined ? null : toUint8Array(v);
    },
  };
}

/**
 * A source over a browser directory pick (`<input webkitdirectory>`): the folder name every
 * `webkitRelativePath` starts with is stripped, so 'all-MiniLM-L6-v2/config.json' → 'config.json'.
 * Files picked individually (no relative path) are keyed by name.
 */
export function sourceFromFiles(files: ArrayLike<File>): ModelFileSource {
  const list = Array.from(files);
  const paths = list.map((f) => normalizePath(f.webkitRelativePath || f.name));
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const top = tops.size === 1 ? [...tops][0] : '';
  const record: Record<string, Blob> = {};
  list.forEach((f, i) => {
    record[top ? paths[i].slice(top.length + 1) : paths[i]] = f;
  });
  return sourceFromRecord(record, top ? `the folder '${top}'` : 'the selected files');
}
