/**
 * Long phases before training (reading and mapping a dataset, counting tokens): Ctrl-C ends them within a turn of
 * the event loop, with exit code 130 and one line naming the phase, and progress lines go to stderr once a phase
 * has run for a second. The loops themselves are cooperative (see engine/data/cooperate.ts).
 */
import type { CliIo } from './io';

/** Exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells report it (as train.ts's EXIT_INTERRUPTED). */
const EXIT_ON_INTERRUPT = 130;

/**
 * Runs `phase` with Ctrl-C handled: the signal it gets aborts, `interrupted while LABEL` is printed, and the process
 * exits 130 (nothing is written before training, so there is nothing to save). The handler is removed afterwards.
 */
export async function interruptible<T>(io: CliIo, label: string, phase: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    controller.abort();
    io.err(`interrupted while ${label}`);
    process.exit(EXIT_ON_INTERRUPT);
  };
  process.on('SIGINT', onSigint);
  try {
    return await phase(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Prints the line `line()` makes at most once a second, starting a second after the phase began. */
export function progressTicker(io: CliIo, everyMs = 1000, now: () => number = () => performance.now()): (line: () => string) => void {
  let next = now() + everyMs;
  return (line) => {
    const t = now();
    if (t < next) return;
    next = t + everyMs;
    io.err(line());
  };
}

/** Bytes in MB with one decimal. */
export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
