import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { link, mkdir, open, rename, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFolder, type WriteFolderFs } from '../../../src/engine/io/writeFolderNode';

const nodeFs: WriteFolderFs = { open, rename, rm, mkdir, link, rmdir };
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (path: string) => readFileSync(path, 'utf8');

/** Every file and folder under `dir`, as sorted relative paths (folders end in '/'). */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      out.push(relative(dir, full) + (e.isDirectory() ? '/' : ''));
      if (e.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** A model folder as a previous run left it, with a file of the user's the writer must not touch. */
const OLD: Record<string, string> = { 'config.json': 'old config', 'model.safetensors': 'old weights', 'tokenizer.json': 'old tokenizer', 'notes.txt': "the user's notes" };
const NEW = new Map<string, Uint8Array>([
  ['config.json', bytes('new config')],
  ['model.safetensors', bytes('new weights '.repeat(1000))],
  ['tokenizer.json', bytes('new tokenizer')],
  ['modules.json', bytes('new modules')],
  ['1_Pooling/config.json', bytes('new pooling')],
  ['2_Normalize/', new Uint8Array(0)],
]);

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'es-write-folder-'));
  dir = join(root, 'model');
  mkdirSync(dir);
  for (const [name, content] of Object.entries(OLD)) writeFileSync(join(dir, name), content);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function expectOldFolderIntact(): void {
  expect(tree(dir)).toEqual(Object.keys(OLD).sort());
  for (const [name, content] of Object.entries(OLD)) expect(text(join(dir, name)), name).toBe(content);
}

describe('writeFolder', () => {
  it('writes every file and empty folder, replaces files of the same name, keeps other files, leaves no temporaries', async () => {
    await writeFolder(dir, NEW);
    expect(tree(dir)).toEqual(['1_Pooling/', '1_Pooling/config.json', '2_Normalize/', 'config.json', 'model.safetensors', 'modules.json', 'notes.txt', 'tokenizer.json']);
    expect(text(join(dir, 'model.safetensors'))).toBe('new weights '.repeat(1000));
    expect(text(join(dir, '1_Pooling/config.json'))).toBe('new pooling');
    expect(text(join(dir, 'notes.txt'))).toBe("the user's notes");
  });

  it('creates a folder that does not exist', async () => {
    const fresh = join(root, 'a', 'b');
    await writeFolder(fresh, { 'x.json': bytes('x') });
    expect(tree(fresh)).toEqual(['x.json']);
  });

  it('a write that fails midway (disk full on the 2nd file) leaves every previous file intact and no temporary or new folder', async () => {
    let opened = 0;
    const diskFull: WriteFolderFs = {
      ...nodeFs,
      open: (async (path: string, flags: string) => {
        if (++opened === 2) throw Object.assign(new Error(`ENOSPC: no space left on device, open '${path}'`), { code: 'ENOSPC' });
        return open(path, flags);
      }) as WriteFolderFs['open'],
    };
    await expect(writeFolder(dir, NEW, diskFull)).rejects.toMatchObject({ code: 'ENOSPC' });
    expectOldFolderIntact();
  });

  it('a failure on the last file, after the others were written in full, still changes nothing', async () => {
    let opened = 0;
    const failing: WriteFolderFs = {
      ...nodeFs,
      open: (async (path: string, flags: string) => {
        if (++opened === 5) {
          // Four temporaries are complete and flushed at this point; none has replaced its file yet.
          expect(tree(dir).filter((n) => n.endsWith('.tmp'))).toHaveLength(4);
          expect(text(join(dir, 'model.safetensors'))).toBe('old weights');
          throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        }
        return open(path, flags);
      }) as WriteFolderFs['open'],
    };
    await expect(writeFolder(dir, NEW, failing)).rejects.toMatchObject({ code: 'EIO' });
    expect(opened).toBe(5);
    expectOldFolderIntact();
  });

  it('a rename that fails after others succeeded puts the replaced files back', async () => {
    let renames = 0;
    const failing: WriteFolderFs = {
      ...nodeFs,
      rename: async (from, to) => {
        if (String(from).endsWith('.tmp') && ++renames === 3) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
        return rename(from, to);
      },
    };
    await expect(writeFolder(dir, NEW, failing)).rejects.toMatchObject({ code: 'EIO' });
    expectOldFolderIntact();
  });

  it('a failure writing into a folder that did not exist removes what it created', async () => {
    const fresh = join(root, 'fresh', 'out');
    const failing: WriteFolderFs = { ...nodeFs, open: (async () => Promise.reject(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }))) as WriteFolderFs['open'] };
    await expect(writeFolder(fresh, NEW, failing)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(existsSync(join(root, 'fresh'))).toBe(false);
    expect(tree(root)).toEqual(['model/', ...Object.keys(OLD).map((n) => `model/${n}`)].sort());
  });

  it('refuses paths that leave the folder before writing anything', async () => {
    for (const bad of ['../evil.json', '/abs.json', 'a/../../b', 'a//b', 'a\\b']) {
      await expect(writeFolder(dir, { [bad]: bytes('x'), 'config.json': bytes('new') })).rejects.toThrow(`cannot write '${bad}': file paths must be relative`);
    }
    expectOldFolderIntact();
  });
});
