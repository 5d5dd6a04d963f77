import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile, temporaryPathFor, type AtomicWriteFs } from '../../../src/engine/io/atomicWriteNode';

const OLD = new Uint8Array([1, 2, 3, 4]);
const NEW = new Uint8Array(Array.from({ length: 100_000 }, (_, i) => i % 251));
const nodeFs: AtomicWriteFs = { open, rename, rm };

let dir: string;
let target: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'es-atomic-'));
  target = join(dir, 'checkpoint.safetensors');
  writeFileSync(target, OLD);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('atomicWriteFile', () => {
  it('replaces the file and leaves nothing else in the folder', async () => {
    await atomicWriteFile(target, NEW);
    expect(new Uint8Array(readFileSync(target))).toEqual(NEW);
    expect(readdirSync(dir)).toEqual(['checkpoint.safetensors']);
  });

  it('creates a file that did not exist', async () => {
    const fresh = join(dir, 'fresh.bin');
    await atomicWriteFile(fresh, NEW);
    expect(new Uint8Array(readFileSync(fresh))).toEqual(NEW);
  });

  it('a failure just before the rename leaves the old file intact and removes the temporary one', async () => {
    let renamed = 0;
    const failing: AtomicWriteFs = {
      ...nodeFs,
      rename: async () => {
        renamed++;
        // The temporary file is complete and flushed at this point: only the rename is missing.
        expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
        throw Object.assign(new Error('injected crash'), { code: 'EIO' });
      },
    };
    await expect(atomicWriteFile(target, NEW, failing)).rejects.toThrow('injected crash');
    expect(renamed).toBe(1);
    expect(new Uint8Array(readFileSync(target))).toEqual(OLD);
    expect(readdirSync(dir)).toEqual(['checkpoint.safetensors']);
  });

  it('a failure mid-write (disk full) leaves the old file intact', async () => {
    const diskFull: AtomicWriteFs = {
      ...nodeFs,
      open: (async (path: string, flags: string) => {
        const handle = await open(path, flags);
        let writes = 0;
        return new Proxy(handle, {
          get(h, key) {
            if (key === 'write') {
              return async (data: Uint8Array, offset: number) => {
                if (++writes > 1) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
                return h.write(data, offset, 10);
              };
            }
            const v = Reflect.get(h, key);
            return typeof v === 'function' ? v.bind(h) : v;
          },
        });
      }) as AtomicWriteFs['open'],
    };
    await expect(atomicWriteFile(target, NEW, diskFull)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(new Uint8Array(readFileSync(target))).toEqual(OLD);
    expect(readdirSync(dir)).toEqual(['checkpoint.safetensors']);
  });

  it('writes to a hidden temporary file in the same folder', () => {
    const tmp = temporaryPathFor(target);
    expect(tmp.startsWith(join(dir, '.checkpoint.safetensors.'))).toBe(true);
    expect(tmp.endsWith('.tmp')).toBe(true);
    expect(temporaryPathFor(target)).not.toBe(tmp);
    expect(existsSync(tmp)).toBe(false);
  });
});
