/**
 * The Node targets (tf.js cpu and wasm backends). Each job runs in a child process of its own (this file,
 * through tsx), so a WASM abort or a hung step cannot take the bench down, memory starts clean, and a
 * timeout can stop it. The child prints step progress on stderr and its result as the last stdout line.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Target } from './args';
import { withTimeout, type Job, type JobResult, type Runner } from './jobs';
import { PROGRESS_PREFIX, type StepEvent } from './measure';

const RESULT_PREFIX = '@@bench-result ';

export function nodeRunner(): Runner {
  return {
    run(target: Target, job: Job, timeoutMs: number, onStep: (e: StepEvent) => void): Promise<JobResult> {
      const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), target, JSON.stringify(job)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        let nl: number;
        while ((nl = err.indexOf('\n')) >= 0) {
          const line = err.slice(0, nl);
          err = err.slice(nl + 1);
          if (line.startsWith(PROGRESS_PREFIX)) onStep(JSON.parse(line.slice(PROGRESS_PREFIX.length)) as StepEvent);
          else if (line.trim()) process.stderr.write(`  [${target}] ${line}\n`);
        }
      });
      const done = new Promise<JobResult>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code, signal) => {
          const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
          if (line) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as JobResult);
          else reject(new Error(`the ${target} child exited (${signal ?? `code ${code}`}) without a result${err ? `: ${err.slice(-300)}` : ''}`));
        });
      });
      return withTimeout(done, timeoutMs, () => child.kill('SIGKILL'));
    },
    async close() {},
  };
}

/** In the child: start the backend, run the job, print the result. */
async function child(target: Target, job: Job): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../src/engine/backend');
  const { benchEmbed, benchTrain, profileTrainStep } = await import('./measure');
  tf.env().set('PROD', true);
  const wasmDir = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;
  const info = await initBackend({ order: [target === 'node-wasm' ? 'wasm' : 'cpu'], wasmPaths: wasmDir });
  const onStep = (e: StepEvent) => process.stderr.write(`${PROGRESS_PREFIX}${JSON.stringify(e)}\n`);
  let result: JobResult;
  if (job.op === 'train') result = await benchTrain(job.spec, onStep);
  else if (job.op === 'embed') result = await benchEmbed(job.spec, job.batch, job.seqLen, job.batches);
  else result = await profileTrainStep(job.spec, job.top);
  // Threads the job ran on: tf.js's WASM thread pool (1 without SharedArrayBuffer threads), the cpu backend's one.
  const threads = info.name === 'wasm' ? (info.wasmThreads ?? 1) : 1;
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, backend: info.name, threads })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  child(process.argv[2] as Target, JSON.parse(process.argv[3]) as Job).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
