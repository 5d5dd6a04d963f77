import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/args';
import { main, reportError } from '../../src/cli/main';
import { EngineError } from '../../src/engine/errors';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { runCli, tempDir, type CliRun } from './run';

const tmp = tempDir('es-cli-main-');
afterAll(() => tmp.cleanup());
const texts = tmp.file('texts.txt', `${golden.tokenize.texts.join('\n')}\n`);
const pairs = tmp.file('pairs.jsonl', '{"text":"a cat","text_pos":"a kitten"}\n{"text":"a dog","text_pos":"a puppy"}\n');

/** Exit code 2, nothing on stdout, exactly one `error:` line (the last one), no stack trace. */
function expectUserError(r: CliRun, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(lines[lines.length - 1]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('errors', () => {
  it('names a missing required flag', async () => {
    expectUserError(await runCli(['embed', '--input', texts]), /^error: 'embed' needs --model/);
  });

  it('names a file that does not exist', async () => {
    const missing = join(tmp.dir, 'nope.txt');
    expectUserError(await runCli(['embed', '--model', TINY_BERT_DIR, '--input', missing]), /^error: cannot read .*nope\.txt.*: no such file$/);
    expectUserError(await runCli(['train', '--model', join(tmp.dir, 'no-model'), '--data', pairs, '--out', join(tmp.dir, 'o')]), /^error: model folder .*no-model.* does not exist/);
  });

  it('names a malformed config.json', async () => {
    const broken = join(tmp.dir, 'broken-model');
    cpSync(TINY_BERT_DIR, broken, { recursive: true });
    writeFileSync(join(broken, 'config.json'), '{"hidden_size": 96,');
    expectUserError(await runCli(['embed', '--model', broken, '--input', texts]), /^error: config\.json in the folder 'broken-model' is not valid JSON/);
  });

  it('names a bad flag value and an unknown flag', async () => {
    const train = ['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', join(tmp.dir, 'o')];
    expectUserError(await runCli([...train, '--lr', 'abc']), /^error: --lr must be a number ≥ 0 and ≤ 1 \(typical: 2e-5\), not 'abc'$/);
    expectUserError(await runCli([...train, '--frobnicate']), /^error: Unknown option '--frobnicate'/);
  });

  it('prints usage for an unknown command (exit 2) and help on --help (exit 0)', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'frobnicate'/);
    expect(unknown.stderr).toContain('Usage: embedding-studio <command>');
    const help = await runCli(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: embedding-studio train');
  });
});

/** main() in this process, its output captured. */
async function runMain(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
}

describe('main in-process', () => {
  it('documents every command: flags, defaults and an example', async () => {
    for (const command of ['embed', 'train', 'eval', 'push']) {
      const help = await runMain([command, '-h']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: embedding-studio ${command}`);
      expect(help.stdout).toMatch(/default: /);
      expect(help.stdout).toMatch(/Example/);
    }
    const train = (await runMain(['help', 'train'])).stdout;
    for (const flag of ['--val-split', '--no-shuffle', '--freeze-layers', '--warmup-ratio', '--grad-accum', '--backend', 'uniem-triplet']) expect(train).toContain(flag);
    expect((await runMain(['--help'])).code).toBe(0);
    expect((await runMain([])).code).toBe(2);
  });

  it('help for an inherited name (constructor, toString, __proto__) is an unknown command, never JavaScript source', async () => {
    for (const topic of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      for (const argv of [['--help', topic], ['help', topic], [topic, '--help'], [topic]]) {
        const r = await runMain(argv);
        expect(r.code, argv.join(' ')).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(new RegExp(`^error: unknown command '${topic}'; the commands are embed, train, eval, mine, push \\(see 'embedding-studio --help'\\)\n`));
        expect(r.stderr).not.toMatch(/native code|function/);
      }
    }
    expect((await runMain(['help', 'embed'])).stdout).toContain('Usage: embedding-studio embed');
  });

  it('refuses contradictory or inapplicable training flags before reading any file', async () => {
    const train = ['train', '--model', join(tmp.dir, 'not-read'), '--data', pairs, '--out', join(tmp.dir, 'o')];
    expectUserError(await runMain([...train, '--steps', '2', '--epochs', '1']), /^error: --epochs and --steps exclude each other/);
    expectUserError(await runMain([...train, '--loss', 'mnrl', '--margin', '1']), /^error: --margin does not apply to the 'mnrl' loss/);
    expectUserError(await runMain([...train, '--val-split', '1']), /^error: --val-split must be a number > 0 and < 1 \(typical: 0\.1\), not '1'$/);
    expectUserError(await runMain([...train, '--pooling', 'sum']), /^error: --pooling must be one of mean, cls, max, last_weighted, lasttoken, not 'sum'$/);
  });

  it('names a dataset it cannot map', async () => {
    const oneColumn = tmp.file('one.csv', 'just one column\n1\n2\n');
    expectUserError(await runMain(['eval', '--model', TINY_BERT_DIR, '--data', oneColumn]), /^error: cannot tell which columns of one\.csv hold the texts/);
    expectUserError(await runMain(['eval', '--model', TINY_BERT_DIR, '--data', pairs, '--columns', 'text=nope']), /^error: --columns: pairs\.jsonl has no column 'nope'/);
  });

  it('reports user errors with exit code 2 and anything else as unexpected with exit code 1, on one line', () => {
    const lines: string[] = [];
    const io = { out: () => {}, err: (l: string) => lines.push(l) };
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.txt'"), { code: 'ENOENT', path: 'x.txt' });
    expect(reportError(new EngineError('bad_config', 'config.json is wrong;\nfix it.'), io)).toBe(2);
    expect(reportError(enoent, io)).toBe(2);
    expect(reportError(new TypeError('boom'), io)).toBe(1);
    expect(lines).toEqual(['error: config.json is wrong; fix it.', 'error: cannot read x.txt: no such file', 'error: unexpected: boom']);
  });

  it('caps every error line and never calls into a thrown non-Error value', () => {
    const lines: string[] = [];
    const io = { out: () => {}, err: (l: string) => lines.push(l) };
    expect(reportError(new CliError(`bad value ${'x'.repeat(1_000_000)}`), io)).toBe(2);
    expect(reportError({ toString: 0, valueOf: 0 }, io)).toBe(1);
    expect(reportError('a string', io)).toBe(1);
    expect(lines[0].length).toBeLessThanOrEqual(500);
    expect(lines[0]).toMatch(/^error: bad value x+… \(1,000,010 characters\)$/);
    expect(lines.slice(1)).toEqual(['error: unexpected: an object with keys "toString", "valueOf"', 'error: unexpected: "a string"']);
  });
});
