/**
 * Keeps the store's run plan in step with the form. The length of a run depends on the records (NO_DUPLICATES
 * batches), which only the worker holds, so when the settings or the mapping change the planner asks the worker,
 * debounced, for the engine's plan (planRun) of the run they describe. An answer for settings or a mapping that
 * have changed since it was asked is dropped; a request the worker refuses leaves no plan (the Train click then
 * gets the worker's reason).
 */
import { validateTrainingOptions } from '../engine/train/options';
import type { RunPlan } from '../engine/train/runPlan';
import type { BodyOf, MappingSummary, PlanResult } from '../worker/protocol';
import type { StudioStore } from './store';
import { currentPlan, planKey, planOptions } from './store/settingsSlice';

/** Quiet time after the last change before the plan is asked for. */
export const PLAN_DEBOUNCE_MS = 200;

export class RunPlanner {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private asked: { key: string; mapping: MappingSummary; answer: Promise<RunPlan | null> } | null = null;

  constructor(
    private readonly store: StudioStore,
    private readonly send: (body: BodyOf<'plan'>) => Promise<PlanResult>,
    private readonly delayMs = PLAN_DEBOUNCE_MS,
  ) {
    store.subscribe((s, prev) => {
      if (s.settings !== prev.settings || s.mapping.summary !== prev.mapping.summary) this.schedule();
    });
  }

  /** The plan of the form's run when the store holds it, else null. */
  known(): RunPlan | null {
    return currentPlan(this.store.getState());
  }

  /**
   * The plan of the form's run: the store's, the answer already awaited for the same settings, or a new request.
   * Null without a mapping, with options the engine's validator refuses, or when the worker refuses them.
   */
  request(): Promise<RunPlan | null> {
    const s = this.store.getState();
    const known = currentPlan(s);
    if (known !== null) return Promise.resolve(known);
    const mapping = s.mapping.summary;
    const options = planOptions(s.settings);
    if (mapping === null || validateTrainingOptions(options).length > 0) return Promise.resolve(null);
    const key = planKey(s.settings);
    if (this.asked !== null && this.asked.key === key && this.asked.mapping === mapping) return this.asked.answer;
    const answer = this.send({ type: 'plan', options }).then(
      (r) => {
        const now = this.store.getState();
        if (now.mapping.summary === mapping && planKey(now.settings) === key) now.planReceived({ key, mapping, plan: r.plan });
        return r.plan;
      },
      () => null,
    );
    const asked = { key, mapping, answer };
    this.asked = asked;
    void answer.then(() => {
      if (this.asked === asked) this.asked = null;
    });
    return answer;
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.request();
    }, this.delayMs);
  }
}
