/**
 * Issue #16 item 10: the playground works while a run trains (Teachable Machine's "try it while it trains"): a
 * search mid-run ranks with the run's latest weights and says which step they are from; evaluating waits for the
 * run to end. On WASM (asserted) with the demo data and model. A screenshot goes to test-results/screenshots/.
 */
import { expect, test } from '@playwright/test';
import { openDemo } from './demo';

test('the playground ranks with the latest weights while the run trains', async ({ page }) => {
  await openDemo(page, 'wasm');
  await page.locator('#set-maxSteps').fill('400');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText(/^Training/, { timeout: 120_000 });
  await expect.poll(async () => Number((await page.getByTestId('step-counter').textContent())?.split(' / ')[0] ?? 0), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);

  const evaluate = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Evaluate', exact: true }) });
  await expect(evaluate.getByRole('button', { name: 'Evaluate' })).toBeDisabled();
  await evaluate.getByLabel('Query').fill('how do i delete a reminder on my phone');
  await evaluate.getByRole('button', { name: 'Search' }).click();
  const trained = page.getByTestId('ranking-trained');
  await expect(trained.getByRole('heading')).toHaveText(/^Fine-tuned so far \(step \d+\)$/, { timeout: 60_000 });
  const firstStep = Number(/step (\d+)/.exec((await trained.getByRole('heading').textContent()) ?? '')?.[1]);
  expect(firstStep).toBeGreaterThanOrEqual(3);
  await expect(trained.locator('li')).toHaveCount(8);
  await expect(page.getByTestId('training-status')).toHaveText(/^Training/);
  await evaluate.screenshot({ path: 'test-results/screenshots/playground-while-training.png' });

  // A later search uses later weights.
  await expect.poll(async () => Number((await page.getByTestId('step-counter').textContent())?.split(' / ')[0] ?? 0), { timeout: 120_000 }).toBeGreaterThan(firstStep + 2);
  await evaluate.getByRole('button', { name: 'Search' }).click();
  await expect.poll(async () => Number(/step (\d+)/.exec((await trained.getByRole('heading').textContent()) ?? '')?.[1] ?? -1), { timeout: 60_000 }).toBeGreaterThan(firstStep);

  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText(/Stopped/, { timeout: 120_000 });
  await expect(evaluate.getByRole('button', { name: 'Evaluate' })).toBeEnabled();
  await evaluate.getByRole('button', { name: 'Search' }).click();
  await expect(trained.getByRole('heading')).toHaveText('Fine-tuned', { timeout: 60_000 });
});
