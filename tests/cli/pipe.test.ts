import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessIo, OutputClosedError } from '../../src/cli/io';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { BIN, tempDir } from './run';

const tmp = tempDir('es-cli-pipe-');
afterAll(() => tmp.cleanup());
/** Enough texts that embedding them all takes many seconds: the run must stop long before the end. */
const TEXTS = 20_000;
const many = tmp.file('many.txt', Array.from({ length: TEXTS }, (_, i) => `text number ${i} with a few words`).join('\n'));

interface ClosedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstLine: string;
  msAfterClose: number;
}

/** Runs `embed`, reads the first stdout line, destroys the pipe (as `| head -1` does), and waits for the end. */
function embedThenClose(): Promise<ClosedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'embed', '--model', TINY_BERT_DIR, '--input', many, '--batch-size', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let closedAt = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running 60 s after stdout closed; stderr: ${stderr}`));
    }, 90_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (closedAt === 0 && stdout.includes('\n')) {
        closedAt = performance.now();
        child.stdout.destroy();
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, firstLine: stdout.split('\n')[0], msAfterClose: performance.now() - closedAt });
    });
  });
}

describe('a closed stdout', () => {
  it('ends embed quietly: exit 0, no stack trace, no "unexpected", long before all texts are embedded', async () => {
    const r = await embedThenClose();
    expect(JSON.parse(r.firstLine)).toHaveLength(96);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/EPIPE|unexpected|Unhandled|error/i);
    // Embedding 20,000 texts takes ~15 s here; stopping at the next batch takes well under one.
    expect(r.stderr).not.toContain(`embedded ${TEXTS} texts`);
    expect(r.msAfterClose).toBeLessThan(10_000);
  });

  it('createProcessIo: after a write error on stdout, out() throws OutputClosedError and stderr errors are swallowed', () => {
    const listeners: Record<string, (e: Error) => void> = {};
    const written: string[] = [];
    const stream = (name: string) => ({
      write: (chunk: string) => written.push(`${name}:${chunk}`),
      on: (_event: 'error', listener: (e: Error) => void) => (listeners[name] = listener),
    });
    const io = createProcessIo(stream('out'), stream('err'));
    io.out('a');
    listeners.out(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(() => io.out('b')).toThrow(OutputClosedError);
    io.err('still here');
    listeners.err(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    io.err('dropped');
    expect(written).toEqual(['out:a\n', 'err:still here\n']);
  });
});
