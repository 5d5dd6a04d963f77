import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { textLines } from '../../src/cli/embed';
import { fsError } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { runCli, tempDir, type CliRun } from './run';

const tmp = tempDir('es-cli-messages-');
afterAll(() => tmp.cleanup());
const texts = tmp.file('texts.txt', `${golden.tokenize.texts.join('\n')}\n`);
const pairs = tmp.file('pairs.jsonl', '{"text":"a cat","text_pos":"a kitten"}\n{"text":"a dog","text_pos":"a puppy"}\n');

/** main() in this process, its output captured. */
async function runMain(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function lastError(r: CliRun): string {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return r.stderr.trimEnd().split('\n').pop() as string;
}

describe('--max-length against the model', () => {
  const tooShort = `error: --max-length 2 leaves no room for text: the tokenizer in ${TINY_BERT_DIR} adds 2 special tokens to every text; use --max-length 3 or more (typical: 128)`;
  const tooLong = (n: number) => `error: --max-length ${n} is longer than the model in ${TINY_BERT_DIR} can read: its config.json has max_position_embeddings 128; use --max-length 128 or less`;

  it('embed and eval name the flag, the special tokens and the fix', async () => {
    expect(lastError(await runMain(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--max-length', '2']))).toBe(tooShort);
    expect(lastError(await runMain(['eval', '--model', TINY_BERT_DIR, '--data', pairs, '--max-length', '2']))).toBe(tooShort);
    expect(lastError(await runMain(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--max-length', '129']))).toBe(tooLong(129));
    expect(lastError(await runMain(['eval', '--model', TINY_BERT_DIR, '--data', pairs, '--max-length', '100000']))).toBe(tooLong(100000));
  });

  it('embed accepts the edges: 3 tokens and max_position_embeddings', async () => {
    for (const n of ['3', '128']) {
      const r = await runMain(['embed', '--model', TINY_BERT_DIR, '--input', texts, '--max-length', n]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`max length ${n}`);
    }
  });

  it('train refuses it before the weights are read (no memory estimate, no training)', async () => {
    for (const [n, message] of [['2', tooShort], ['1000', tooLong(1000)]] as const) {
      const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', join(tmp.dir, 'o'), '--steps', '1', '--max-length', n]);
      expect(lastError(r)).toBe(message);
      expect(r.stderr).not.toMatch(/^(memory|model|train):/m);
    }
  });
});

describe('every CLI error names the flag and the file', () => {
  it('--input: an empty line, an empty file', () => {
    expect(() => textLines('a\n\nb', 'in.txt')).toThrow('in.txt (--input) line 2 is empty: write one text per line, with no empty lines between them');
    expect(() => textLines('', 'in.txt')).toThrow('in.txt (--input) holds no texts: write one text per line');
  });

  it('--model: a broken file in the folder names the file, the folder and the flag', async () => {
    const broken = join(tmp.dir, 'broken-model');
    cpSync(TINY_BERT_DIR, broken, { recursive: true });
    writeFileSync(join(broken, 'config.json'), '{"hidden_size": 96,');
    const line = lastError(await runMain(['embed', '--model', broken, '--input', texts]));
    expect(line).toMatch(/^error: config\.json in the folder 'broken-model' is not valid JSON.*\(--model .*broken-model\)$/);
    const missing = lastError(await runMain(['eval', '--model', join(tmp.dir, 'nowhere'), '--data', pairs]));
    expect(missing).toMatch(/^error: model folder '.*nowhere' does not exist or is not a directory; pass the folder that holds config\.json \(--model .*nowhere\)$/);
  });

  it('--out: a folder that cannot be created names the flag', async () => {
    const aFile = tmp.file('plain.txt', 'x');
    const line = lastError(await runMain(['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', aFile, '--steps', '1']));
    expect(line).toBe(`error: cannot write the model to ${aFile} (--out): it is a file, not a folder; pick another --out`);
  });

  it('file-system errors: a read-only mount or a full disk is a write error, never "no such file" nor "cannot read"', () => {
    const err = (code: string, syscall: string) => Object.assign(new Error(`${code}: ${syscall} 'x'`), { code, syscall, path: '/mnt/ro/x' });
    expect(fsError(err('EROFS', 'open'))?.message).toBe('cannot write /mnt/ro/x: the file system is read-only');
    expect(fsError(err('ENOSPC', 'write'))?.message).toBe('cannot write /mnt/ro/x: no space left on the device');
    expect(fsError(err('EACCES', 'mkdir'))?.message).toBe('cannot write /mnt/ro/x: permission denied');
    expect(fsError(err('EACCES', 'open'))?.message).toBe('cannot read /mnt/ro/x: permission denied');
    expect(fsError(err('ENOENT', 'open'))?.message).toBe('cannot read /mnt/ro/x: no such file');
    expect(fsError(err('EROFS', 'open'), 'write the model to', 'out (--out)')?.message).toBe('cannot write the model to out (--out): the file system is read-only');
    expect(fsError(err('ENOTAREALCODE', 'open'))).toBeNull();
    expect(fsError(Object.assign(new Error('x'), { code: 'constructor' }))).toBeNull();
  });
});
