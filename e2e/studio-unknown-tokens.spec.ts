/**
 * The data does not fit the model (#16 item 6): Chinese riddles on the demo model's ASCII vocabulary are all
 * [UNK] and the Mapping step says so; the demo's English pairs read fine. What is under test is the count and
 * the notes, not the backend: WASM.
 */
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './demo';

const card = (page: Page, title: string) => page.locator('section.card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

const RIDDLES = [
  ['什么东西越洗越脏？', '水'],
  ['什么东西有头无脚？', '砖头'],
  ['什么门永远关不上？', '球门'],
  ['什么路最窄？', '冤家路窄'],
  ['什么书你买不到？', '秘书'],
  ['什么东西天气越热越爱出来？', '汗'],
  ['什么人一年只工作一天？', '圣诞老人'],
  ['什么车寸步难行？', '风车'],
  ['什么布剪不断？', '瀑布'],
  ['什么酒不能喝？', '碘酒'],
  ['什么瓜不能吃？', '傻瓜'],
  ['什么帽不能戴？', '螺丝帽'],
];
const riddlesJsonl = RIDDLES.map(([text, text_pos]) => JSON.stringify({ text, text_pos })).join('\n') + '\n';

test('the Mapping step warns when the model cannot read the texts; the demo data reads fine', async ({ page }) => {
  test.setTimeout(180_000);
  await openDemo(page, 'wasm');

  // English demo pairs on the demo model: nothing unknown, no warning.
  const mapping = card(page, 'Mapping');
  await expect(mapping.getByTestId('unknown-share-text')).toHaveText('0 % of tokens unknown to this model');
  await expect(mapping.getByTestId('unknown-share-text_pos')).toHaveText('0 % of tokens unknown to this model');
  await expect(mapping.getByTestId('unknown-tokens-warning')).toHaveCount(0);

  // The demo model's defaults changed the form: the Training settings card says what and why, and can be dismissed.
  const settings = card(page, 'Training settings');
  const note = settings.getByTestId('defaults-note');
  await expect(note).toContainText('The demo model suggests: batch size 32 → 16, learning rate 2e-5 → 4e-3, max length 128 → 32');
  await note.screenshot({ path: 'test-results/screenshots/defaults-note.png' });
  await note.getByRole('button', { name: 'Dismiss' }).click();
  await expect(note).toHaveCount(0);

  // Chinese riddles: every character is outside the demo model's ASCII vocabulary.
  await page.getByLabel('Dataset file').setInputFiles({ name: 'riddles.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(riddlesJsonl) });
  await expect(page.getByTestId('mapping-kept')).toHaveText(String(RIDDLES.length));
  await expect(mapping.getByTestId('unknown-share-text')).toHaveText('100 % of tokens unknown to this model');
  await expect(mapping.getByTestId('unknown-share-text_pos')).toHaveText('100 % of tokens unknown to this model');
  const warning = mapping.getByTestId('unknown-tokens-warning');
  await expect(warning).toContainText('The model cannot read these texts: 100 % in "text", 100 % in "text_pos" of the tokens are unknown to its vocabulary ([UNK])');
  await expect(warning).toContainText('Pick a model whose vocabulary covers the language, e.g. a multilingual one.');
  await mapping.getByTestId('unknown-tokens').screenshot({ path: 'test-results/screenshots/unknown-tokens.png' });
});
