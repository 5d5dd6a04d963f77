/**
 * The evaluate step's "Mine hard negatives": the demo pairs mined with the demo model (base, before training),
 * downloaded as JSONL group rows whose negatives come from the rank window and are never the query's positive.
 */
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';

test('mine hard negatives and download them', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');

  const panel = page.getByTestId('mine-panel');
  await panel.locator('summary').click();
  await expect(panel.getByLabel('Model')).toBeDisabled(); // nothing trained yet: the base model mines
  await panel.getByLabel('Ranks from').fill('2');
  await panel.getByLabel('to').fill('20');
  await panel.getByLabel('Negatives').fill('4');
  await panel.getByRole('button', { name: 'Mine hard negatives' }).click();
  const result = page.getByTestId('mine-result');
  await expect(result).toContainText(/^\d+ groups, \d+ negatives/, { timeout: 120_000 });
  const download = page.waitForEvent('download');
  await result.getByRole('link', { name: 'Download mined-hard-negatives.jsonl' }).click();
  const path = await (await download).path();
  const rows = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { query: string; pos: string[]; neg: string[]; neg_scores: number[] });
  const groups = Number(/^(\d+) groups/.exec((await result.textContent()) ?? '')?.[1]);
  expect(rows).toHaveLength(groups);
  expect(groups).toBeGreaterThan(100);
  for (const r of rows) {
    expect(r.neg.length).toBeLessThanOrEqual(4);
    expect(r.neg_scores).toHaveLength(r.neg.length);
    for (const n of r.neg) expect(r.pos).not.toContain(n);
  }

  // The mined file becomes the next run's training data, read as groups.
  await result.getByRole('button', { name: 'Use as training data' }).click();
  await expect(page.getByTestId('dataset-rows')).toHaveText(String(groups));
  await expect(page.getByLabel('Record type')).toHaveValue('group');
});
