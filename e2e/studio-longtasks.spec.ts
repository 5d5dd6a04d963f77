/**
 * Issue #16 item 3: the page does not stutter while training. On the production build (what users get; dev-mode
 * React is several times slower), on WebGPU, a PerformanceObserver of the Long Tasks API (tasks over 50 ms on the
 * page's main thread) is installed before Train is clicked, and every long task from the click to "Training
 * complete" is collected and printed, each with the training phase it fell in.
 *
 * Not yet met, so marked as an expected failure (it turns red the day it passes, to be unmarked then): on this
 * shared 2-core machine a 24-step run (94 s) had 18 long tasks: 263 and 253 ms while preparing (the click's
 * render, then the start), and 16 of 52–123 ms (median about 64 ms) during the steps, about one per step batch. The assertion
 * stays the strict one the issue asks for; the cause (React's render and commit of the train step and the three
 * recharts charts per step batch, or SwiftShader's work in the page) is not yet attributed with the profiler.
 */
import { expect, test, type Page } from '@playwright/test';
import { previewPort } from '../playwright.config';
import { openDemoOnWebGpu } from './demo';

test.use({ baseURL: `http://localhost:${previewPort}` });

interface LongTask {
  start: number;
  duration: number;
}

interface Watch {
  tasks: LongTask[];
  firstStepAt: number | null;
  doneAt: number | null;
}

declare global {
  interface Window {
    __longTaskWatch?: Watch;
  }
}

/** Starts collecting long tasks and the times the first step point and the end of the run reach the page. */
async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const watch: Watch = { tasks: [], firstStepAt: null, doneAt: null };
    window.__longTaskWatch = watch;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) watch.tasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    new MutationObserver(() => {
      const counter = document.querySelector('[data-testid="step-counter"]')?.textContent ?? '';
      if (watch.firstStepAt === null && /^[1-9]\d* \//.test(counter)) watch.firstStepAt = performance.now();
      const status = document.querySelector('[data-testid="training-status"]')?.textContent ?? '';
      if (watch.doneAt === null && status === 'Training complete') watch.doneAt = performance.now();
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

test('no long task on the page while training (production build, WebGPU)', async ({ page }) => {
  test.fail(true, 'issue #16 item 3 is open: long tasks of 52-263 ms remain while training');
  await openDemoOnWebGpu(page);
  await page.locator('#set-maxSteps').fill('24');
  await page.locator('#set-evaluations').fill('2');
  await watchLongTasks(page);
  const clickedAt = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 480_000 });
  await expect(page.getByTestId('step-counter')).toHaveText('24 / 24');

  const watch = await page.evaluate(() => window.__longTaskWatch);
  expect(watch?.firstStepAt).not.toBeNull();
  expect(watch?.doneAt).not.toBeNull();
  const { tasks, firstStepAt, doneAt } = watch as Watch & { firstStepAt: number; doneAt: number };
  const during = tasks.filter((t) => t.start >= clickedAt && t.start <= doneAt);
  const phase = (t: LongTask) => (t.start < firstStepAt ? 'preparing' : 'steps');
  console.log(
    `training ${((doneAt - clickedAt) / 1000).toFixed(1)} s (first step ${((firstStepAt - clickedAt) / 1000).toFixed(1)} s after the click); ` +
      `long tasks: ${during.length}${during.length ? `: ${during.map((t) => `${t.duration.toFixed(0)} ms (${phase(t)}, at +${((t.start - clickedAt) / 1000).toFixed(1)} s)`).join(', ')}` : ''}`,
  );
  expect(during.map((t) => Math.round(t.duration))).toEqual([]);
});
