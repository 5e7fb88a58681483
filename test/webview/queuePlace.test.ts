/**
 * The Audit Queue keeps a person's place when VS Code drops its hidden page and loads it again, in
 * Chromium (built dist/queue.js) under a fake VS Code host whose setState survives a reload of the
 * page, as VS Code's does: the same item, the note half written open again with its text and the
 * caret at its end (never all of it selected), focused only when the page has the focus.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { QueueHostMessage, QueueWebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { miniQueueShow } from '../fixtures/queueRuns.js';
import { type FakeWebview, openFakeWebview } from './fakeWebview.js';
import { queuePagePath } from './queuePage.js';

/** Typed into the note: markup, which must stay the note's text. */
const DRAFT = 'sign flips <img src=x onerror="window.__owned=1"> here';

let browser: Browser;
let pagePath: string;

/** The mini queue (r#0#0, r#1#0, r#0#1, r#0#2), shown at `key`. */
function show(key?: string): Extract<QueueHostMessage, { type: 'queue/show' }> {
  return miniQueueShow({
    events: [],
    position: { unlabelledOnly: true, ...(key !== undefined ? { key } : {}) },
  });
}

/**
 * Until the page sets `sessionStorage.blurred`, as VS Code's does not have the focus while the
 * person is in another editor: document.hasFocus() says so (headless Chromium's page always has it).
 */
const BLUR_SWITCH = `(() => {
  if (sessionStorage.getItem('blurred')) Document.prototype.hasFocus = function () { return false; };
})();`;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  pagePath = queuePagePath('mini');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

type Label = Extract<QueueWebviewMessage, { type: 'queue/label' }>;

interface Field {
  key: string | null;
  value: string | null;
  focused: boolean;
  start: number | null;
  end: number | null;
}

const field = (page: Page): Promise<Field> =>
  page.evaluate(() => {
    const input = document.querySelector('.q-note-field') as HTMLInputElement | null;
    return {
      key: document.querySelector('.q-item')?.getAttribute('data-key') ?? null,
      value: input?.value ?? null,
      focused: input !== null && document.activeElement === input,
      start: input?.selectionStart ?? null,
      end: input?.selectionEnd ?? null,
    };
  });

/**
 * A queue on its second item with a note half written; the page then loaded again, and the host
 * sending the queue at the position it was last told, as on `ready`.
 */
async function writeThenReload(blurred: boolean): Promise<FakeWebview<QueueWebviewMessage>> {
  const view = await openFakeWebview<QueueWebviewMessage>(browser, pagePath, {
    width: 1000,
    height: 800,
    state: 'session',
    initScripts: [BLUR_SWITCH],
  });
  const { page } = view;
  await view.send(show());
  await page.waitForSelector('.q-item[data-key="r#0#0"]');
  await page.keyboard.press('n');
  await page.waitForSelector('.q-item[data-key="r#1#0"]');
  await page.keyboard.press('m');
  await page.waitForSelector('.q-note-field');
  await page.keyboard.type(DRAFT);
  assert.equal((await field(page)).value, DRAFT);
  const positions = (await view.posted()).filter((m) => m.type === 'queue/position');
  const last = positions.at(-1);
  const key = last?.type === 'queue/position' ? last.position.key : undefined;
  if (blurred) await page.evaluate(() => sessionStorage.setItem('blurred', '1'));

  await page.reload();
  await page.waitForFunction(() =>
    (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
  );
  await view.send(show(key));
  await page.waitForSelector('.q-note-field');
  return view;
}

test('the page loaded again shows the same item with the note open, its text, the caret at its end, focused', async () => {
  const view = await writeThenReload(false);
  const { page } = view;
  try {
    const now = await field(page);
    assert.deepEqual(now, {
      key: 'r#1#0',
      value: DRAFT,
      focused: true,
      start: DRAFT.length,
      end: DRAFT.length,
    });
    assert.equal(await page.locator('.q-notes img').count(), 0, 'the note is text, never markup');
    assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);
    await page.screenshot({ path: join(TEST_OUTPUT, 'queue-place-reloaded.png') });
    // The sentence goes on where it stopped; its keys are text; Enter saves the whole of it.
    await page.keyboard.type(' again 1n');
    await page.keyboard.press('Enter');
    const labels = (await view.posted()).filter((m): m is Label => m.type === 'queue/label');
    assert.equal(labels.length, 1);
    assert.deepEqual(
      {
        type: labels[0]!.event.type,
        sample: labels[0]!.event.sample,
        text: (labels[0]!.event as { text: string }).text,
      },
      { type: 'note', sample: 1, text: `${DRAFT} again 1n` },
    );
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('loaded again while the person is elsewhere, the note takes the keys only when the page gets the focus back', async () => {
  const view = await writeThenReload(true);
  const { page } = view;
  try {
    const away = await field(page);
    assert.deepEqual(away, {
      key: 'r#1#0',
      value: DRAFT,
      focused: false,
      start: DRAFT.length,
      end: DRAFT.length,
    });
    // The person comes back to the queue's tab.
    await page.evaluate(() => {
      sessionStorage.removeItem('blurred');
      Document.prototype.hasFocus = () => true;
      window.dispatchEvent(new FocusEvent('focus'));
    });
    const back = await field(page);
    assert.deepEqual(back, {
      key: 'r#1#0',
      value: DRAFT,
      focused: true,
      start: DRAFT.length,
      end: DRAFT.length,
    });
    await page.keyboard.type('!');
    assert.equal((await field(page)).value, `${DRAFT}!`);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});
