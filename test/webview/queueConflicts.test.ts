/**
 * The Audit Queue page in Chromium (built dist/queue.js under a fake VS Code host): labels that
 * contradict each other are said in the status line and marked with a "!" and words on the item's
 * label line; while a note is written, a click on "unlabelled only" acts and the keys go back to
 * the field; the Enter that ends an input method's composition does not save the note.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stampEvent } from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import type { QueueHostMessage, QueueWebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { miniQueueShow } from '../fixtures/queueRuns.js';
import { type FakeWebview, openFakeWebview } from './fakeWebview.js';
import { queuePagePath } from './queuePage.js';

let browser: Browser;
let pagePath: string;

/** The mini queue (r#0#0, r#1#0, r#0#1, r#0#2) with ann's events. */
function show(events: AuditEvent[], unlabelledOnly: boolean): QueueHostMessage {
  return miniQueueShow({ events, position: { unlabelledOnly } });
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  pagePath = queuePagePath('mini');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function open(message: QueueHostMessage): Promise<FakeWebview<QueueWebviewMessage>> {
  const view = await openFakeWebview<QueueWebviewMessage>(browser, pagePath, { width: 1000, height: 800 });
  await view.send(message);
  await view.page.waitForSelector('.q-item');
  return view;
}

type Label = Extract<QueueWebviewMessage, { type: 'queue/label' }>;
const labelsPosted = async (view: FakeWebview<QueueWebviewMessage>) =>
  (await view.posted()).filter((m): m is Label => m.type === 'queue/label');
const shownKey = (page: Page) => page.locator('.q-item').getAttribute('data-key');
const fieldFocused = (page: Page) =>
  page.evaluate(() => document.activeElement?.classList.contains('q-note-field') ?? false);

const SAID =
  'Labels contradict: marked no error, but step 0 is rated −1. Until one changes, exports leave this sample out.';

test('0 on a sample with a step rated −1: the status line and the item’s label line say the labels contradict', async () => {
  const view = await open(
    show(
      [{ ...stampEvent({ type: 'stepRating', sample: 0, step: 0, rating: -1 }), annotator: 'ann' }],
      false,
    ),
  );
  const { page } = view;
  try {
    assert.equal(await shownKey(page), 'r#0#0');
    assert.equal(await page.locator('.q-label').getAttribute('data-conflict'), 'no');
    await page.keyboard.press('n');
    await page.keyboard.press('n');
    await page.waitForSelector('.q-item[data-key="r#0#1"]');
    await page.keyboard.press('0');
    await page.waitForFunction(() => document.querySelector('.q-item')?.getAttribute('data-key') !== 'r#0#1');
    assert.equal(
      (await page.locator('.q-last').textContent())?.trim(),
      `r · sample 0 · step 1: the sample has no error (u undoes). ${SAID}`,
    );
    // Back on the item: its label line carries a "!" and the words, not a colour alone.
    await page.keyboard.press('k');
    await page.waitForSelector('.q-item[data-key="r#0#1"]');
    const line = page.locator('.q-label');
    assert.equal(await line.getAttribute('data-conflict'), 'yes');
    assert.equal((await line.locator('.q-conflict').textContent())?.trim(), `! ${SAID}`);
    await page.screenshot({ path: join(TEST_OUTPUT, 'queue-conflict.png'), fullPage: true });
    // Fixed (the mark undone), the "!" is gone.
    await page.keyboard.press('u');
    await page.waitForSelector('.q-label[data-conflict="no"]');
    assert.equal(await page.locator('.q-conflict').count(), 0);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('while a note is written, clicking "unlabelled only" acts, and the keys are the note’s again', async () => {
  const view = await open(show([], true));
  const { page } = view;
  try {
    await page.keyboard.press('m');
    await page.waitForSelector('.q-note-field');
    await page.keyboard.type('half');
    const before = (await view.posted()).length;
    await page.locator('#q-unlabelled').click();
    // The checkbox shows what the queue does: the host is told, and a redraw agrees.
    await page.waitForFunction(() => !(document.getElementById('q-unlabelled') as HTMLInputElement).checked);
    const posted = (await view.posted()).slice(before);
    assert.deepEqual(
      posted.map((m) => (m.type === 'queue/position' ? m.position.unlabelledOnly : m.type)),
      [false],
    );
    assert.equal(await page.locator('.q-note-field').inputValue(), 'half');
    assert.ok(await fieldFocused(page), 'the keys are back in the note field');
    await page.keyboard.type(' more 1');
    assert.equal(await page.locator('.q-note-field').inputValue(), 'half more 1');
    assert.equal(await shownKey(page), 'r#0#0');
    assert.deepEqual(await labelsPosted(view), []);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('the Enter that ends an input method’s composition (Japanese, Chinese) does not save the note', async () => {
  const view = await open(show([], true));
  const { page } = view;
  try {
    await page.keyboard.press('m');
    await page.waitForSelector('.q-note-field');
    await page.keyboard.type('符号');
    // What Chromium sends when Enter picks the input method's candidate: the word is not done.
    await page.evaluate(() =>
      document
        .querySelector('.q-note-field')!
        .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true })),
    );
    assert.deepEqual(await labelsPosted(view), [], 'nothing saved');
    assert.equal(await page.locator('.q-note-field').count(), 1, 'the field is still open');
    await page.keyboard.type('が逆');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.q-note-field', { state: 'detached' });
    const saved = await labelsPosted(view);
    assert.deepEqual(
      saved.map((m) => (m.event as { text?: string }).text),
      ['符号が逆'],
    );
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});
