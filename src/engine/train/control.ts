/**
 * Pause, resume and stop for a training run, honoured between optimiser steps.
 */
export type RunState = 'running' | 'paused' | 'stopping';

export class TrainingControl {
  private state: RunState = 'running';
  private wake: (() => void) | null = null;

  get current(): RunState {
    return this.state;
  }

  pause(): void {
    if (this.state === 'running') this.state = 'paused';
  }

  resume(): void {
    if (this.state === 'paused') this.state = 'running';
    this.wake?.();
  }

  /** Ends the run after the step in progress; the model keeps what it learnt so far. */
  stop(): void {
    this.state = 'stopping';
    this.wake?.();
  }

  /**
   * Awaited between steps: after one macrotask turn returns while running, waits while paused (calling `onPause` once),
   * and answers 'stop' once stop() was called.
   */
  async gate(onPause?: () => void): Promise<'continue' | 'stop'> {
    // A macrotask turn, so pause/stop messages (worker onmessage, SIGINT) get in: on the CPU and WASM
    // backends every await in a step resolves at once and would otherwise starve them.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (this.state === 'paused') {
      onPause?.();
      while (this.state === 'paused') {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
    }
    return this.state === 'stopping' ? 'stop' : 'continue';
  }
}
