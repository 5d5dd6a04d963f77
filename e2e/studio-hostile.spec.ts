/**
 * Hostile input in the studio (issue: CI that fails only for real): a PNG renamed .csv is refused with what it is,
 * a file whose column names mean nothing is mapped by column order and says so, and a saved checkpoint with a
 * flipped bit is not resumed after a reload: the Train card says why. Runs on WASM (storage and parsing do not
 * depend on the backend, and WASM trains the demo model in seconds).
 */
import { expect, test, type Page } from '@playwright/test';

const card = (page: Page, title: string) => page.locator('section.card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

async function open(page: Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 120_000 });
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

test('a PNG renamed .csv is refused; unknown column names are mapped by column order and say so', async ({ page }) => {
  await open(page);
  const input = page.getByLabel('Dataset file');
  await input.setInputFiles({ name: 'photo.csv', mimeType: 'text/csv', buffer: PNG });
  await expect(page.getByTestId('dataset-error')).toHaveText(/^photo\.csv: this is a PNG image, not a CSV file\. Choose the CSV, TSV or JSON Lines file that holds your examples\./);
  await card(page, 'Dataset').screenshot({ path: 'test-results/screenshots/h1-png-refused.png' });

  const rows = Array.from({ length: 30 }, (_, i) => JSON.stringify({ foo: `how do I export note number ${i}?`, bar: `Exporting note ${i} to PDF` })).join('\n');
  await input.setInputFiles({ name: 'foobar.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(`${rows}\n`) });
  await expect(page.getByTestId('dataset-error')).toHaveCount(0);
  await expect(page.getByTestId('mapping-kept')).toHaveText('30');
  const note = page.getByTestId('mapping-note');
  await expect(note).toHaveText(/^No column name was recognised, so text=foo, text_pos=bar were chosen by column order and content/);
  await card(page, 'Mapping').screenshot({ path: 'test-results/screenshots/h2-mapped-by-order.png' });
  // Choosing the columns by hand is a decision: the note goes.
  await page.locator('#field-text').selectOption('bar');
  await expect(note).toHaveCount(0);
});

test('a checkpoint with a flipped bit is not resumed after a reload; the Train card says why', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  await page.locator('#set-maxSteps').fill('4');
  await page.locator('#set-evaluations').fill('0');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const status = page.getByTestId('training-status');
  await expect(status).toHaveText('Training complete', { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-checkpoint', '4');

  // One bit of the saved checkpoint's last tensor byte flipped, as a failing disk or an edit would.
  const flipped = await page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('embedding-studio');
        open.onerror = () => reject(new Error('cannot open the studio database'));
        open.onsuccess = () => {
          const tx = open.result.transaction('checkpoints', 'readwrite');
          const store = tx.objectStore('checkpoints');
          const cursor = store.openCursor();
          let count = 0;
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (c === null) return;
            const value = c.value as { step: number; bytes: Uint8Array };
            const bytes = value.bytes.slice();
            bytes[bytes.length - 1] ^= 1;
            c.update({ ...value, bytes });
            count++;
            c.continue();
          };
          tx.oncomplete = () => resolve(count);
          tx.onerror = () => reject(new Error('cannot rewrite the checkpoint'));
        };
      }),
  );
  expect(flipped).toBeGreaterThan(0);
  await page.reload();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert', { timeout: 120_000 });
  const warning = page.getByTestId('training-restore');
  await expect(warning).toHaveText(
    /^The last run could not be restored: its saved checkpoint is unusable \(checkpoint\.safetensors is damaged: tensor "[^"]+" does not match its checksum; .*\)\. Train again to start a new run\.$/,
    { timeout: 120_000 },
  );
  await expect(page.getByRole('button', { name: 'Resume training' })).toHaveCount(0);
  await expect(page.getByTestId('dataset-rows')).toHaveText('520');
  await card(page, 'Train').screenshot({ path: 'test-results/screenshots/h3-damaged-checkpoint.png' });
  // A new run starts clean.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(warning).toHaveCount(0);
  await expect(status).toHaveText('Training complete', { timeout: 300_000 });
});
