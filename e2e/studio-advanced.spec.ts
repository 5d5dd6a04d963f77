/**
 * The settings step as a newcomer meets it (#16 item 7): the everyday settings in view with the model's defaults,
 * the expert ones behind a closed, keyboard-operable "Advanced settings" whose summary counts what differs from
 * those defaults and says when one of them is invalid (Train then refuses with a reason).
 */
import { expect, test } from '@playwright/test';
import { openDemo } from './demo';

const EVERYDAY = ['loss', 'epochs', 'maxSteps', 'batchSize', 'learningRate', 'maxLength', 'evaluations'];
const EXPERT = ['warmupRatio', 'gradAccumSteps', 'miniBatchSize', 'strategy', 'dropout', 'seed', 'earlyStoppingPatience', 'matryoshkaDims', 'queryPrompt', 'documentPrompt'];

test('Advanced settings: closed by default, opened by keyboard, counts changes, shows a problem when closed', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await openDemo(page, 'wasm');
  const settings = page.locator('#step4');
  const advanced = settings.getByTestId('advanced-settings');
  const summary = advanced.locator('summary');

  await expect(advanced).not.toHaveAttribute('open');
  await expect(summary).toContainText(/^Advanced settings warmup/);
  for (const id of EVERYDAY) await expect(settings.locator(`#set-${id}`), id).toBeVisible();
  await expect(settings.getByTestId('batch-auto')).toBeVisible();
  for (const id of EXPERT) await expect(settings.locator(`#set-${id}`), id).toBeHidden();
  // The demo model's dropout off is its default, not a change.
  await expect(settings.locator('#set-dropout')).toHaveValue('0');
  await settings.screenshot({ path: 'test-results/screenshots/settings-advanced-closed.png' });

  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(advanced).toHaveAttribute('open');
  for (const id of EXPERT) await expect(settings.locator(`#set-${id}`), id).toBeVisible();
  await settings.locator('#set-seed').fill('7');
  await settings.locator('#set-strategy').selectOption('bitfit');
  await expect(summary).toContainText(/^Advanced settings · 2 changed warmup/);
  await settings.screenshot({ path: 'test-results/screenshots/settings-advanced.png' });

  // An invalid expert value: its error under the field; closed, the summary still says so and Train refuses.
  await settings.locator('#set-warmupRatio').fill('2');
  await expect(settings.locator('#set-warmupRatio-error')).toBeVisible();
  await summary.click();
  await expect(advanced).not.toHaveAttribute('open');
  await expect(summary).toContainText('Advanced settings · 3 changed · 1 invalid');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await settings.screenshot({ path: 'test-results/screenshots/settings-advanced-invalid.png' });

  await page.keyboard.press('Space');
  await expect(advanced).toHaveAttribute('open');
  await settings.locator('#set-warmupRatio').fill('0.1');
  await expect(summary).toContainText(/^Advanced settings · 2 changed warmup/);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
});
