/**
 * Issue #16 item 4: a reload mid-training must not look like data loss. On WASM (asserted) with the demo data and
 * model: a run the user stopped is "Stopped" after a reload; a run the page went away from is "Interrupted at step
 * N of M (the page was closed or reloaded)". Right after each reload the page shows "Restoring your last session…"
 * (never the empty "Nothing read yet.") or the restored run; there is one resume button, and resuming finishes.
 */
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './demo';

const STEPS = 80;

/** Right after a reload: the restoring indicator or the restored run, and never the empty saved-runs state while restoring. */
async function expectRestoringOrRestored(page: Page, shot: string): Promise<void> {
  const restoring = page.getByTestId('restoring');
  const restored = page.getByTestId('training-status').filter({ hasText: /^(Interrupted|Stopped)/ });
  await expect(restoring.or(restored).first()).toBeVisible({ timeout: 30_000 });
  if (await restoring.isVisible()) {
    await expect(restoring).toHaveText('Restoring your last session…');
    await expect(page.getByText('Nothing read yet.')).toHaveCount(0);
    await page.screenshot({ path: `test-results/screenshots/${shot}`, fullPage: true });
  }
}

test('a reload mid-training restores an interrupted run (a stopped one stays stopped) with one resume button', async ({ page }) => {
  await openDemo(page, 'wasm');
  await page.locator('#set-maxSteps').fill(String(STEPS));
  await page.locator('#set-evaluations').fill('0');
  const status = page.getByTestId('training-status');
  const resumeButtons = page.getByRole('button', { name: /resume/i });
  const resumeTraining = page.getByRole('button', { name: 'Resume training' });

  // Stopped by the user, then reloaded: still "Stopped".
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status).toHaveAttribute('data-checkpoint', /^[1-9]\d*$/, { timeout: 300_000 });
  await expect(resumeButtons).toHaveCount(0);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toHaveText('Paused', { timeout: 60_000 });
  // Paused: Pause became Resume, the only resume button.
  await expect(resumeButtons).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeEnabled();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(status).toHaveText(/^Stopped · checkpoint at step \d+$/, { timeout: 120_000 });
  const stoppedAt = Number(await status.getAttribute('data-checkpoint'));
  await page.reload();
  await expectRestoringOrRestored(page, 'reload-0-restoring-stopped.png');
  await expect(status).toHaveText(`Stopped · checkpoint at step ${stoppedAt}`, { timeout: 180_000 });
  await expect(resumeButtons).toHaveCount(1);

  // Resumed, then the page goes away mid-run: "Interrupted", not "Stopped".
  await resumeTraining.click();
  await expect(status).toHaveText('Training…', { timeout: 120_000 });
  const later = new RegExp(`^(${Array.from({ length: STEPS - stoppedAt - 1 }, (_, i) => stoppedAt + 1 + i).join('|')})$`);
  await expect(status).toHaveAttribute('data-checkpoint', later, { timeout: 300_000 });
  await page.reload();
  await expectRestoringOrRestored(page, 'reload-1-restoring.png');
  await expect(status).toHaveText(new RegExp(`^Interrupted at step \\d+ of ${STEPS} \\(the page was closed or reloaded\\)$`), { timeout: 180_000 });
  await expect(page.getByTestId('restoring')).toHaveCount(0);
  const checkpoint = Number(await status.getAttribute('data-checkpoint'));
  expect(checkpoint).toBeGreaterThan(stoppedAt);
  expect(checkpoint).toBeLessThan(STEPS);
  await expect(status).toHaveText(`Interrupted at step ${checkpoint} of ${STEPS} (the page was closed or reloaded)`);
  await expect(page.getByTestId('dataset-rows')).toHaveText('520');
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  await expect(page.getByTestId('saved-run')).not.toHaveCount(0);
  await expect(page.getByText('Nothing read yet.')).toHaveCount(0);
  // One resume action, on the backend that runs (WASM here).
  await expect(resumeButtons).toHaveCount(1);
  await expect(resumeTraining).toBeEnabled();
  await expect(page.getByLabel('Resume on backend')).toHaveValue('wasm');
  const bar = page.getByRole('progressbar', { name: /Training progress/ });
  await expect(bar).toHaveAttribute('aria-valuenow', String(checkpoint));
  await page.screenshot({ path: 'test-results/screenshots/reload-2-interrupted.png', fullPage: true });

  await resumeTraining.click();
  await expect(status).toHaveText('Training complete', { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-start-step', String(checkpoint));
  await expect(bar).toHaveAttribute('aria-valuenow', String(STEPS));
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', String(STEPS));
  await expect(chart).toHaveAttribute('data-contiguous', 'true');
  await expect(resumeButtons).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/reload-3-resumed.png', fullPage: true });
});
