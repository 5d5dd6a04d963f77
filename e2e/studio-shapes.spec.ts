/**
 * The richer record shapes in the studio (#19): a FlagEmbedding file (a query with lists of positives and
 * negatives) maps as a group, shows its list sizes, suggests MNRL with its reason, offers a group size and trains;
 * an NLI file maps as class pairs with its classes and counts, suggests SoftmaxLoss, trains, and the Evaluate step
 * scores the trained classifier (accuracy, macro-F1; none for the base model). What is under test is
 * the mapping and the settings, not the backend: WASM.
 */
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './demo';

const card = (page: Page, title: string) => page.locator('section.card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
const jsonl = (rows: unknown[]) => Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

const TASKS = ['create my binder', 'wipe my laptop', 'remove my reminders', 'confirm my mailbox', 'wipe my directory', 'silence my banners', 'modify my pin', 'rename my folder'];
const GROUPS = TASKS.map((t, i) => ({
  query: `how do i ${t} on my ipad`,
  pos: [`${t} on iPad`, `${t} on iPhone`].slice(0, 1 + (i % 2)),
  neg: TASKS.filter((_, j) => j !== i).slice(0, 1 + (i % 3)).map((u) => `${u} on Android`),
}));
const NLI = TASKS.flatMap((t, i) => [
  { premise: `how do i ${t}`, hypothesis: `${t} on iPad`, label: 'entailment' },
  { premise: `how do i ${t}`, hypothesis: `${TASKS[(i + 1) % TASKS.length]} on the web`, label: i % 2 ? 'neutral' : 'contradiction' },
]);

async function trainThreeSteps(page: Page): Promise<void> {
  await page.locator('#set-maxSteps').fill('3');
  await page.locator('#set-evaluations').fill('0');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 180_000 });
}

test('a FlagEmbedding group file and an NLI class-pair file map, suggest their loss and train', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  await openDemo(page, 'wasm');
  const mapping = card(page, 'Mapping');
  const settings = card(page, 'Training settings');

  await page.getByLabel('Dataset file').setInputFiles({ name: 'flag.jsonl', mimeType: 'application/jsonl', buffer: jsonl(GROUPS) });
  await expect(page.getByTestId('mapping-kept')).toHaveText(String(GROUPS.length));
  await expect(mapping.locator('#record-type')).toHaveValue('group');
  await expect(mapping.locator('#field-text')).toHaveValue('query');
  await expect(mapping.locator('#field-text_pos')).toHaveValue('pos');
  await expect(mapping.getByTestId('list-sizes')).toHaveText('text_pos: 1–2 per query (mean 1.5); text_neg: 1–3 per query (mean 1.9)');
  await expect(settings.locator('#set-loss')).toHaveValue('mnrl');
  await expect(settings.locator('#set-loss option:checked')).toHaveText('Multiple negatives ranking (MNRL) (suggested)');
  await expect(settings).toContainText('Suggested: a query with positives and negatives trains with MNRL over all of them.');
  await settings.locator('summary', { hasText: 'Advanced settings' }).click();
  await expect(settings.locator('#set-groupSize')).toBeVisible();
  await mapping.screenshot({ path: 'test-results/screenshots/shapes-group-mapping.png' });
  await settings.locator('#set-groupSize').fill('3');
  await trainThreeSteps(page);
  await settings.screenshot({ path: 'test-results/screenshots/shapes-group-settings.png' });

  await page.getByLabel('Dataset file').setInputFiles({ name: 'nli.jsonl', mimeType: 'application/jsonl', buffer: jsonl(NLI) });
  await expect(page.getByTestId('mapping-kept')).toHaveText(String(NLI.length));
  await expect(mapping.locator('#record-type')).toHaveValue('class_pair');
  const classes = mapping.getByTestId('class-counts');
  await expect(classes).toContainText('Classes3');
  await expect(classes).toContainText('“entailment”8');
  await expect(classes).toContainText('“neutral”4');
  await expect(classes).toContainText('“contradiction”4');
  await expect(settings.locator('#set-loss')).toHaveValue('softmax');
  await expect(settings).toContainText('Suggested: pairs with class labels (NLI) train a classifier over both embeddings (SoftmaxLoss).');
  await expect(settings.locator('#set-groupSize')).toHaveCount(0);
  await mapping.screenshot({ path: 'test-results/screenshots/shapes-class-pair-mapping.png' });
  await trainThreeSteps(page);

  // Class pairs are scored by the classifier SoftmaxLoss trained: none for the base model, accuracy for the fine-tuned.
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const table = page.getByTestId('metrics-table');
  const accuracy = table.locator('tr[data-metric="accuracy"]');
  await expect(accuracy.locator('[data-col="trained"]')).toHaveText(/^(0|1)\.\d{4}$/, { timeout: 120_000 });
  await expect(accuracy.locator('[data-col="base"]')).toHaveText('–');
  await expect(table.locator('tr[data-metric="f1_macro"] [data-col="trained"]')).toHaveText(/^(0|1)\.\d{4}$/);
  await expect(page.getByTestId('evaluation-error')).toHaveCount(0);
  await card(page, 'Evaluate').screenshot({ path: 'test-results/screenshots/shapes-class-pair-evaluate.png' });
});
