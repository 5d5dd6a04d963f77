/**
 * The CLI's side of Node: where lines go (stdout carries only results, stderr everything else), files read
 * with one-line messages for the usual file-system errors, the tf.js backend, and model folders.
 */
import { openAsBlob, statSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../engine/backend';
import { isEngineError } from '../engine/errors';
import { loadModelFolder, type LoadedModelFiles, type LoadModelOptions } from '../engine/io/modelFolder';
import { sourceFromDirectory } from '../engine/io/modelFolderNode';
import { ownValue } from '../engine/untrusted';
import { CliError } from './args';

/** Where the CLI writes: `out` is stdout (results only, machine-readable), `err` is stderr (progress, notes). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /**
   * Lets the lines written so far reach stdout (waiting while its buffer is full) and a closed stdout be noticed;
   * a command that prints many lines awaits it between batches. Optional: in-memory test outputs have nothing to wait for.
   */
  flush?(): Promise<void>;
}

/** Thrown by `out` once stdout is closed (`embedding-studio embed … | head`): the command ends quietly, exit 0. */
export class OutputClosedError extends Error {
  constructor() {
    super('stdout was closed by the reader');
    this.name = 'OutputClosedError';
  }
}

interface WritableOutput {
  readonly destroyed?: boolean;
  /** True while the buffer holds more than the stream wants (write() returned false); 'drain' follows. */
  readonly writableNeedDrain?: boolean;
  write(chunk: string): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  once?(event: 'drain' | 'close', listener: () => void): unknown;
}

/** One turn of the event loop: pending writes complete or fail, and their 'error' events are delivered. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The CLI's lines on the process's stdout and stderr. A write error on stdout (EPIPE when the reader has gone,
 * as `| head` does) is caught instead of crashing the process with a stack trace, and the next `out` throws
 * OutputClosedError so the command stops at once; stderr errors are swallowed (nowhere left to report them).
 * Pipe writes complete in the event loop, which a chain of awaits on the WASM backend may not yield to before
 * the whole command ends: `flush` gives it a turn (and waits for 'drain' while the buffer is full), so a closed
 * stdout is noticed at the next batch and a fast producer does not pile its output up in memory.
 */
export function createProcessIo(stdout: WritableOutput = process.stdout, stderr: WritableOutput = process.stderr): CliIo {
  let stdoutClosed = false;
  let stderrClosed = false;
  stdout.on('error', () => {
    stdoutClosed = true;
  });
  stderr.on('error', () => {
    stderrClosed = true;
  });
  return {
    out: (line) => {
      if (stdoutClosed || stdout.destroyed === true) throw new OutputClosedError();
      stdout.write(`${line}\n`);
    },
    err: (line) => {
      if (!stderrClosed && stderr.destroyed !== true) stderr.write(`${line}\n`);
    },
    flush: async () => {
      await nextTurn();
      if (stdoutClosed || stdout.writableNeedDrain !== true || stdout.once === undefined) return;
      await new Promise<void>((resolve) => {
        stdout.once?.('drain', resolve);
        stdout.once?.('close', resolve);
      });
      await nextTurn();
    },
  };
}

/** Backends that run in Node. WASM is the default: ~7× faster than `cpu` per training step on tiny-bert. */
export const CLI_BACKENDS = ['wasm', 'cpu'] as const;
export type CliBackend = (typeof CLI_BACKENDS)[number];
export const DEFAULT_BACKEND: CliBackend = 'wasm';

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EEXIST: 'a file is in the way',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many files are open',
  EBUSY: 'the file is busy',
  EIO: 'an input/output error (a failing disk or a lost network drive)',
};

/** Errors that only writing causes, and the calls that write: a write error must not read as "cannot read". */
const WRITE_CODES = new Set(['ENOSPC', 'EROFS', 'EDQUOT']);
const WRITE_CALLS = new Set(['write', 'mkdir', 'rename', 'unlink', 'rmdir', 'fsync', 'ftruncate', 'copyfile', 'link', 'symlink', 'utime', 'chmod']);

/** The reason a Node file-system error gives, in words ("the file system is read-only"), or null for other errors. */
export function fsReason(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (ownValue(FS_REASONS, code) ?? null) : null;
}

/**
 * A Node file-system error as a one-line CliError ("cannot read FILE: no such file"), or null for other errors.
 * Without `action`, it is "write" for errors and calls that only writing causes, else "read".
 */
export function fsError(e: unknown, action?: string, path?: string): CliError | null {
  const reason = fsReason(e);
  if (reason === null) return null;
  const err = e as { code?: unknown; path?: unknown; syscall?: unknown };
  const writes = WRITE_CODES.has(String(err.code)) || (typeof err.syscall === 'string' && WRITE_CALLS.has(err.syscall));
  const target = path ?? (typeof err.path === 'string' ? err.path : 'a file');
  return new CliError(`cannot ${action ?? (writes ? 'write' : 'read')} ${target}: ${reason}`);
}

async function withFsErrors<T>(action: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw fsError(e, action, path) ?? e;
  }
}

/** Checks that `path` is a readable regular file (so errors surface before any model loads). */
export function checkInputFile(path: string, flag: string): void {
  // A Hub dataset (hf://datasets/ID) is checked when it is read (dataset.ts).
  if ((flag === '--data' || flag === '--eval-data') && path.startsWith('hf://')) return;
  try {
    if (!statSync(path).isFile()) throw new CliError(`cannot read ${path} (${flag}): it is not a file`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw fsError(e, 'read', `${path} (${flag})`) ?? e;
  }
}

/** The file as text; `flag` (e.g. '--input') is named in the error. */
export function readTextFile(path: string, flag?: string): Promise<string> {
  return withFsErrors('read', flag ? `${path} (${flag})` : path, () => readFile(path, 'utf8'));
}

/** The file as a Blob, streamed from disk by the dataset parser; `flag` (e.g. '--data') is named in the error. */
export function openFileBlob(path: string, flag?: string): Promise<Blob> {
  return withFsErrors('read', flag ? `${path} (${flag})` : path, () => openAsBlob(path));
}

/** Creates the output folder (or accepts an existing one); returns how many entries it already held. */
export async function prepareOutputDir(dir: string): Promise<number> {
  return withFsErrors('create the output folder', `${dir} (--out)`, async () => {
    await mkdir(dir, { recursive: true });
    return (await readdir(dir)).length;
  });
}

/**
 * An error about the model folder, naming the flag and the folder: file-system errors as "cannot read the model
 * folder DIR (--model): …", the engine's (which name the file inside) with "(--model DIR)" added.
 */
export function modelFolderError(e: unknown, dir: string): unknown {
  if (e instanceof CliError) return e;
  if (isEngineError(e)) return new CliError(`${e.message.replace(/\s*\n\s*/g, ' ').trim().replace(/\.$/, '')} (--model ${dir})`);
  return fsError(e, 'read the model folder', `${dir} (--model)`) ?? e;
}

/** Reads and validates a model folder (no tensors yet); `options.beforeWeights` can refuse it before its weights are read. */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModelFiles> {
  try {
    return await loadModelFolder(sourceFromDirectory(dir), options);
  } catch (e) {
    throw modelFolderError(e, dir);
  }
}

/** The folder holding the WASM backend's .wasm files, inside node_modules. */
function wasmDir(): string {
  return `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

/**
 * Starts tf.js on `name`. The Node banner of the CPU backend is silenced (PROD mode), and the process-wide
 * handlers the WASM module installs (which rethrow any uncaught error with its minified source) are removed.
 */
export async function startBackend(name: CliBackend): Promise<BackendName> {
  tf.env().set('PROD', true);
  const before = new Set([...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')]);
  try {
    const info = await initBackend({ order: [name], wasmPaths: wasmDir() });
    return info.name;
  } catch (e) {
    throw new CliError(`the ${name} backend could not start (${e instanceof Error ? e.message : String(e)}); try --backend ${name === 'wasm' ? 'cpu' : 'wasm'}`);
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!before.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!before.has(l)) process.removeListener('unhandledRejection', l);
  }
}
