/**
 * Where the user is in the studio: each step's card reports its title, whether it is open and whether it is done
 * (the Card is the one place that knows), the navigator renders the list, and when a step the user was working
 * in becomes done the next open step is brought into view and focused (so focus never drops to <body> after a
 * button that did its work disappears). One directory per page, created by App — no module state.
 */

export interface StepEntry {
  step: number;
  title: string;
  /** The card's element id (its heading is `${id}-title`). */
  id: string;
  enabled: boolean;
  done: boolean;
}

/** The step the page is at: the first open one not done yet; null when every open step is done. */
export function currentStep(steps: readonly StepEntry[]): number | null {
  return steps.find((s) => s.enabled && !s.done)?.step ?? null;
}

/**
 * Where to move after `completed` (steps that just became done, in this batch of updates): the first open step
 * after the lowest of them; null when there is none.
 */
export function advanceTarget(steps: readonly StepEntry[], completed: readonly number[]): StepEntry | null {
  if (completed.length === 0) return null;
  const from = Math.min(...completed);
  return steps.find((s) => s.step > from && s.enabled) ?? null;
}

export class StepDirectory {
  private entries = new Map<number, StepEntry>();
  private snapshot: StepEntry[] = [];
  private listeners = new Set<() => void>();
  private completed: number[] = [];
  private flushing = false;

  /** `onAdvance(target, completedStep)`: called once per batch of updates in which a step became done. */
  constructor(private readonly onAdvance: (target: StepEntry, completed: number) => void = () => {}) {}

  report(entry: StepEntry): void {
    const before = this.entries.get(entry.step);
    if (before && before.title === entry.title && before.id === entry.id && before.enabled === entry.enabled && before.done === entry.done) return;
    this.entries.set(entry.step, entry);
    this.snapshot = [...this.entries.values()].sort((a, b) => a.step - b.step);
    if (before && !before.done && entry.done) this.completed.push(entry.step);
    this.listeners.forEach((l) => l());
    if (this.completed.length > 0 && !this.flushing) {
      this.flushing = true;
      // Cards report in effects, one render at a time: steps finished by the same update are taken together.
      queueMicrotask(() => this.flush());
    }
  }

  remove(step: number): void {
    if (!this.entries.delete(step)) return;
    this.snapshot = [...this.entries.values()].sort((a, b) => a.step - b.step);
    this.listeners.forEach((l) => l());
  }

  private flush(): void {
    this.flushing = false;
    const completed = this.completed;
    this.completed = [];
    const target = advanceTarget(this.snapshot, completed);
    if (target) this.onAdvance(target, Math.min(...completed));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): StepEntry[] => this.snapshot;
}
