/**
 * The studio's layout as a newcomer meets it (#16 item 7): a navigator that shows where you are; after "Use the
 * demo dataset" and "Use the demo model" focus moves to the next step instead of dropping to <body>; on a wide
 * screen the settings sit beside the run; on a phone nothing is cut off sideways.
 */
import { expect, test, type Page } from '@playwright/test';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? null);

test('1920 px: the navigator follows the steps, focus moves to the next step, settings beside the run', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText(/^webgpu/, { timeout: 120_000 });
  const nav = page.getByRole('navigation', { name: 'Steps' });
  await expect(nav.getByRole('link')).toHaveCount(7);
  await expect(nav.locator('[aria-current="step"]')).toHaveAccessibleName('Step 1: Dataset, current step');
  await expect(nav.getByRole('link', { name: 'Step 5: Train, not open yet' })).toBeVisible();

  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await expect.poll(() => focusedId(page)).toBe('step3-title');
  await expect(nav.locator('[aria-current="step"]')).toHaveAccessibleName('Step 3: Model, current step');

  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  // The model step is done: focus is on the settings it shaped, not on <body>.
  await expect.poll(() => focusedId(page)).toBe('step4-title');
  await expect(nav.getByRole('link', { name: 'Step 3: Model, done' })).toBeVisible();

  // Settings and Train side by side, tops aligned.
  // Measured in one go: a smooth scroll may be under way.
  const [settings, train] = await page.evaluate(() =>
    ['step4', 'step5'].map((id) => {
      const r = document.getElementById(id)!.getBoundingClientRect();
      return { x: r.x, y: r.y + window.scrollY, width: r.width };
    }),
  );
  expect(train.x).toBeGreaterThan(settings.x + settings.width - 1);
  expect(Math.abs(train.y - settings.y)).toBeLessThan(2);
  // The navigator stays in view and brings Train into view with focus on its heading.
  await page.mouse.wheel(0, 400);
  await nav.getByRole('link', { name: /^Step 5: Train/ }).click();
  await expect.poll(() => focusedId(page)).toBe('step5-title');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeInViewport();
  await shot(page, 'g1-layout-1920');
});

test('390 px: the navigator scrolls sideways, the page does not', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText(/^webgpu/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.view);
  await expect(page.getByRole('navigation', { name: 'Steps' })).toBeInViewport();
  await shot(page, 'g2-layout-390');
});
