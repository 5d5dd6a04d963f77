/**
 * Issue #15: the mapping step renames columns (uniem's question1 → sentence1). A Quora-style CSV whose names are
 * not recognised maps by column order; renaming its columns to sentence1 / sentence2 / label makes detection find a
 * scored pair by name, and the renames survive a reload. A screenshot of the mapping step goes to
 * test-results/screenshots/.
 */
import { expect, test } from '@playwright/test';

const CSV = [
  'q_left,q_right,dup',
  'how do i learn go,best way to learn go,1',
  'is tea healthy,why is the sky blue,0',
  'what is rust,how does iron rust,0',
  'how to cook rice,best way to cook rice,1',
  'how do i sleep better,tips for better sleep,1',
  'is coffee bad,what is a black hole,0',
].join('\n');

test('renamed columns are detected by name and come back after a reload', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 120_000 });
  await page.getByLabel('Dataset file').setInputFiles({ name: 'quora.csv', mimeType: 'text/csv', buffer: Buffer.from(`${CSV}\n`) });
  await expect(page.getByTestId('dataset-rows')).toHaveText('6');
  const renamer = page.getByTestId('column-renamer');
  await renamer.locator('summary').click();
  await renamer.getByLabel('New name of column q_left').fill('sentence1');
  await renamer.getByLabel('New name of column q_right').fill('sentence2');
  await renamer.getByLabel('New name of column dup').fill('sentence2');
  await renamer.getByRole('button', { name: 'Apply names' }).click();
  await expect(page.getByTestId('mapping-error')).toContainText("columns 'q_right' and 'dup' would both be called 'sentence2'");
  await renamer.getByLabel('New name of column dup').fill('label');
  await renamer.getByRole('button', { name: 'Apply names' }).click();
  await expect(renamer.locator('summary')).toHaveText('Rename columns · 3 renamed');
  await expect(page.locator('#record-type')).toHaveValue('scored_pair');
  await expect(page.locator('#field-sentence1')).toHaveValue('sentence1');
  await expect(page.locator('#field-label')).toHaveValue('label');
  await expect(page.getByTestId('mapping-kept')).toHaveText('6');
  await expect(page.getByTestId('mapping-error')).toHaveCount(0);
  const mappingCard = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Mapping', exact: true }) });
  await mappingCard.screenshot({ path: 'test-results/screenshots/mapping-rename.png' });

  await page.reload();
  await expect(page.getByTestId('mapping-kept')).toHaveText('6', { timeout: 60_000 });
  await expect(page.getByTestId('column-renamer').locator('summary')).toHaveText('Rename columns · 3 renamed');
  await expect(page.locator('#field-sentence2')).toHaveValue('sentence2');
  await page.getByTestId('column-renamer').locator('summary').click();
  await page.getByRole('button', { name: 'Use the names as read' }).click();
  await expect(page.getByTestId('column-renamer').locator('summary')).toHaveText('Rename columns');
  await expect(page.getByTestId('mapping-kept')).toHaveText('6');
});
