/**
 * Issue #16 item 8: accessibility. axe-core scans every step of the studio on WASM (asserted): the empty page,
 * the mapping step (demo dataset), the model and settings (demo model), a settings value that is refused (its
 * error shown), a short run (2 steps) while it trains and once done, the evaluation with the playground, and the
 * export. No step may have a serious or critical violation; each step's list (rule, impact, nodes) is printed.
 * The training status is a polite live region, so a screen reader hears "Training complete" without looking.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

type Found = { id: string; impact: string; count: number; targets: string[] };

async function scan(page: Page, step: string): Promise<Found[]> {
  await page.screenshot({ path: `test-results/screenshots/a11y-${step}.png`, fullPage: true });
  const result = await new AxeBuilder({ page }).analyze();
  const found = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? 'unknown',
    count: v.nodes.length,
    targets: v.nodes.slice(0, 12).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)}` : ''}`),
  }));
  console.info(`[a11y] ${step}: ${found.length === 0 ? 'no violations' : found.map((f) => `${f.id} (${f.impact}, ${f.count})`).join(', ')}`);
  for (const f of found) for (const t of f.targets) console.info(`[a11y]   ${f.id}: ${t}`);
  return found;
}

const severe = (found: Found[]) => found.filter((f) => f.impact === 'serious' || f.impact === 'critical').map(({ id, impact, count }) => ({ id, impact, count }));

test('every step of the studio passes axe without serious or critical violations', async ({ page }) => {
  const problems: Record<string, ReturnType<typeof severe>> = {};
  const check = async (step: string) => {
    const s = severe(await scan(page, step));
    if (s.length > 0) problems[step] = s;
  };

  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 120_000 });
  await check('1-empty');

  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await check('2-mapping');

  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  await check('3-model-settings');

  const maxLength = page.locator('#set-maxLength');
  const fitting = await maxLength.inputValue();
  await maxLength.fill('99999');
  await expect(page.locator('#set-maxLength-error')).toContainText(/does not fit this model/);
  await expect(maxLength).toHaveAttribute('aria-invalid', 'true');
  await check('4-settings-error');
  await maxLength.fill(fitting);
  await expect(page.locator('#set-maxLength-error')).toHaveCount(0);

  await page.locator('#set-maxSteps').fill('2');
  await page.locator('#set-evaluations').fill('1');
  const status = page.getByTestId('training-status');
  // The status is announced: a polite live region (its own role, or its container's).
  await expect(status.locator('xpath=ancestor-or-self::*[@role="status" or @aria-live="polite"]').first()).toBeAttached();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status).toHaveText(/Preparing|Training|complete/, { timeout: 120_000 });
  // Scanned at once: a 2-step run on WASM may be done before the scan ends; the status says which state it saw.
  console.info(`[a11y] 5-training: status "${await status.textContent()}" when the scan began`);
  await check('5-training');
  await expect(status).toHaveText('Training complete', { timeout: 300_000 });
  await expect(page.getByTestId('step-counter')).toHaveText('2 / 2');
  await check('6-trained');

  await page.getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('metrics-table').locator('tr.primary [data-col="trained"]')).not.toHaveText('–', { timeout: 120_000 });
  await page.getByLabel('Query', { exact: true }).fill('how do i wipe my tablet');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('ranking-trained').locator('li').first()).toBeVisible({ timeout: 60_000 });
  await check('7-evaluated');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export model' }).click();
  await downloading;
  await expect(page.getByTestId('download-link')).toBeVisible();
  await check('8-exported');

  expect(problems).toEqual({});
});
