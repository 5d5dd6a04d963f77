#!/usr/bin/env node
/**
 * `npm run fuzz [-- --runs N] [-- --seed S]`: runs every test file that uses fast-check with a fresh random seed
 * (or S) and N times the cases CI runs (default 20). A failure prints the seed and the counterexample; replay it
 * with FAST_CHECK_SEED=<seed>, then add the counterexample as a plain regression test.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') && /from 'fast-check'/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const files = testFiles('tests');
const env = { ...process.env, FAST_CHECK_SEED: flag('seed', 'random'), FAST_CHECK_RUNS: flag('runs', '20') };
console.log(`fuzz: ${files.length} files with properties`);
// Each property runs `runs` times its cases, so each test gets `runs` times the usual 120 s (vite.config.ts).
const testTimeout = 120_000 * Number(env.FAST_CHECK_RUNS);
const result = spawnSync('npx', ['vitest', 'run', `--testTimeout=${testTimeout}`, ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
