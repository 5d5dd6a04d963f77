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
import { loadModelFolder, type LoadedModelFiles, type LoadModelOptions } from '../engine/io/modelFolder';
import { sourceFromDirectory } from '../engine/io/modelFolderNode';
import { CliError } from './args';

/** Where the CLI writes: `out` is stdout (results only, machine-readable), `err` is stderr (progress, notes). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

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
};

/** A Node file-system error as a one-line CliError ("cannot read FILE: no such file"), or null for other errors. */
export function fsError(e: unknown, action: string, path?: string): CliError | null {
  const err = e as { code?: unknown; path?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  if (!(code in FS_REASONS)) return null;
  const target = path ?? (typeof err?.path === 'string' ? err.path : 'a file');
  return new CliError(`cannot ${action} ${target}: ${FS_REASONS[code]}`);
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
  try {
    if (!statSync(path).isFile()) throw new CliError(`cannot read ${path} (${flag}): it is not a file`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw fsError(e, 'read', `${path} (${flag})`) ?? e;
  }
}

export function readTextFile(path: string): Promise<string> {
  return withFsErrors('read', path, () => readFile(path, 'utf8'));
}

/** The file as a Blob, streamed from disk by the dataset parser. */
export function openFileBlob(path: string): Promise<Blob> {
  return withFsErrors('read', path, () => openAsBlob(path));
}

/** Creates the output folder (or accepts an existing one); returns how many entries it already held. */
export async function prepareOutputDir(dir: string): Promise<number> {
  return withFsErrors('create the output folder', dir, async () => {
    await mkdir(dir, { recursive: true });
    return (await readdir(dir)).length;
  });
}

/** Reads and validates a model folder (no tensors yet); `options.beforeWeights` can refuse it before its weights are read. */
export function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModelFiles> {
  return withFsErrors('read the model folder', dir, () => loadModelFolder(sourceFromDirectory(dir), options));
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
