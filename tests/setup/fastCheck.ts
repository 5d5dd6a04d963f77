/** Vitest setup file: every fast-check property in this worker runs from the run's seed (see ./globalSeed.ts). */
import fc from 'fast-check';
import { runsFactor } from '../helpers/property';
import { resolveSeed } from './seed';

fc.configureGlobal({ seed: resolveSeed(process.env.FAST_CHECK_SEED), numRuns: 100 * runsFactor() });
