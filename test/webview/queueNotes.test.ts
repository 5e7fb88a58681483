/**
 * Notes in the Audit Queue page, in Chromium (built dist/queue.js under a fake VS Code host): the
 * notes others left on the item's step show with it, named, as text; m opens the person's own
 * note, whose keys are text (the trial string fires no shortcut), Enter saves it as a `queue/label`
 * note event; a note saved elsewhere (the queue sent again, as the host's log follower does) shows
 * at once and leaves a note half written as it was.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stampEvent } from '../../src/core/audit.js';
import type { QueueNote } from '../../src/core/auditQueue.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import type { QueueHostMessage, QueueWebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { miniQueueShow } from '../fixtures/queueRuns.js';
import { type FakeWebview, openFakeWebview } from './fakeWebview.js';
import { queuePagePath } from './queuePage.js';

const HOSTILE = 'see <img src=x onerror="window.__owned=1"><b>bold?</b>';
const TRIAL = 'e1jnps3u0g/f';

let browser: Browser;
let pagePath: string;

/** The mini queue (r#0#0, r#1#0, r#0#1, r#0#2) with ann's events, others' notes, other annotators. */
function show(
  options: { events?: AuditEvent[]; notes?: QueueNote[]; others?: string[] } = {},
): Extract<QueueHostMessage, { type: 'queue/show' }> {
  return miniQueueShow({ events: options.events ?? [], ...options });
}

const annNote = (step: number, text: string): AuditEvent => ({
  ...stampEvent({ type: 'note', sample: 0, step, text }),
  annotator: 'ann',
});

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
const notesText = async (page: Page) => (await page.locator('.q-notes').textContent()) ?? '';
const fieldFocused = (page: Page) =>
  page.evaluate(() => document.activeElement?.classList.contains('q-note-field') ?? false);

test('others’ notes on the step show with the item, named, as text; m writes one that the trial keys cannot fire', async () => {
  const view = await open(
    show({
      notes: [
        { sample: 0, step: 0, annotator: 'bob', text: HOSTILE },
        { sample: 0, step: 1, annotator: 'bob', text: 'on another step' },
      ],
      others: ['bob'],
    }),
  );
  const { page } = view;
  try {
    assert.equal(await shownKey(page), 'r#0#0');
    const shown = await notesText(page);
    assert.match(shown, /Notes on step 0/);
    assert.ok(shown.includes(`bob: ${HOSTILE}`), shown);
    assert.ok(!shown.includes('on another step'), 'only the notes on this step');
    assert.equal(await page.locator('.q-notes img, .q-notes b').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);

    await page.keyboard.press('m');
    await page.waitForSelector('.q-note-field');
    assert.ok(await fieldFocused(page), 'the field has the keys');
    const before = (await view.posted()).length;
    await page.keyboard.type(TRIAL);
    // Not one shortcut fired: no label, no move, no position, the filters as they were.
    assert.equal((await view.posted()).length, before);
    assert.equal(await shownKey(page), 'r#0#0');
    assert.equal(await page.locator('#q-unlabelled').isChecked(), true);
    assert.equal(await page.locator('.q-help').count(), 0);
    assert.equal(await page.locator('.q-note-field').inputValue(), TRIAL);

    await page.screenshot({ path: join(TEST_OUTPUT, 'queue-notes-writing.png'), fullPage: true });
    await page.keyboard.press('Enter');
    const posted = await labelsPosted(view);
    assert.equal(posted.length, 1);
    const saved = posted[0]!;
    assert.equal(saved.runId, 'r');
    assert.deepEqual(
      {
        type: saved.event.type,
        sample: saved.event.sample,
        step: (saved.event as { step?: number }).step,
      },
      { type: 'note', sample: 0, step: 0 },
    );
    assert.equal((saved.event as { text: string }).text, TRIAL);
    assert.equal(await page.locator('.q-note-field').count(), 0);
    const own = page.locator('.q-note.own');
    assert.match((await own.textContent()) ?? '', new RegExp(`^ann \\(you\\): ${TRIAL} — saving…`));
    await view.send({ type: 'queue/saved', runId: 'r', requestId: saved.requestId });
    await page.waitForSelector('.q-note.own[data-saved="saved"]');
    await page.screenshot({ path: join(TEST_OUTPUT, 'queue-notes-saved.png'), fullPage: true });
    assert.doesNotMatch((await own.textContent()) ?? '', /saving/);
    // Keys are the queue's again once the note is saved.
    await page.keyboard.press('n');
    await page.waitForFunction(() => document.querySelector('.q-item')?.getAttribute('data-key') !== 'r#0#0');
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('a note saved in the panel shows at once; a note half written stays, focused, as typed', async () => {
  const view = await open(show());
  const { page } = view;
  try {
    // One annotator, nobody else's notes: nothing to show yet, and the note is the person's own.
    assert.equal(await page.locator('.q-notes').count(), 0);
    await view.send(show({ events: [annNote(0, 'written in the panel')] }));
    await page.waitForSelector('.q-notes');
    assert.match(await notesText(page), /Your note: written in the panel/);

    // m opens it with its words; while typing, the host sends the queue again (bob saved a note).
    await page.keyboard.press('m');
    await page.waitForSelector('.q-note-field');
    assert.equal(await page.locator('.q-note-field').inputValue(), 'written in the panel');
    await page.keyboard.type(' and');
    await view.send(
      show({
        events: [annNote(0, 'written in the panel')],
        notes: [{ sample: 0, step: 0, annotator: 'bob', text: 'bob’s view' }],
        others: ['bob'],
      }),
    );
    await page.waitForFunction(() => document.querySelector('.q-notes')?.textContent?.includes('bob’s view'));
    assert.ok(await fieldFocused(page), 'the field keeps the keys across the redraw');
    await page.keyboard.type(' more');
    assert.equal(await page.locator('.q-note-field').inputValue(), 'written in the panel and more');
    assert.match(await notesText(page), /bob: bob’s view/);
    await page.setViewportSize({ width: 280, height: 700 });
    await page.locator('.q-notes').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(TEST_OUTPUT, 'queue-notes-narrow.png') });

    // Esc leaves it unsaved: nothing posted, the note as it was.
    await page.keyboard.press('Escape');
    await page.waitForSelector('.q-note-field', { state: 'detached' });
    assert.deepEqual(await labelsPosted(view), []);
    assert.match(await notesText(page), /ann \(you\): written in the panel/);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});

test('in the note field VS Code’s keys (Ctrl+P, F1) reach the window; a host’s redraw focuses the field only if it had the focus and the page has it', async () => {
  const view = await open(show());
  const { page } = view;
  try {
    await page.keyboard.press('m');
    await page.waitForSelector('.q-note-field');
    await page.keyboard.type('draft');
    // What VS Code's webview script hears (a keydown listener on the window, bubbling).
    await page.evaluate(() => {
      const heard: string[] = [];
      (window as unknown as { __heard: string[] }).__heard = heard;
      window.addEventListener('keydown', (event) =>
        heard.push(
          `${event.ctrlKey ? 'Ctrl+' : ''}${event.key}${event.defaultPrevented ? ' prevented' : ''}`,
        ),
      );
    });
    // The palette's key last: after it the page swallows typing for a moment (paletteGuard.ts).
    for (const key of ['Control+p', 'Control+Tab', 'x', 'F1']) await page.keyboard.press(key);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __heard: string[] }).__heard), [
      'Ctrl+Control',
      'Ctrl+p',
      'Ctrl+Control',
      'Ctrl+Tab',
      'F1',
    ]);
    assert.equal(await page.locator('.q-note-field').inputValue(), 'draftx');
    assert.deepEqual(await labelsPosted(view), []);

    // Out of the field, the focus elsewhere in the page: a host's redraw leaves it there.
    await page.locator('#q-unlabelled').focus();
    await view.send(
      show({ notes: [{ sample: 0, step: 0, annotator: 'bob', text: 'first' }], others: ['bob'] }),
    );
    await page.waitForFunction(() => document.querySelector('.q-notes')?.textContent?.includes('first'));
    assert.equal(await fieldFocused(page), false, 'the redraw did not take the focus back into the field');
    assert.equal(await page.locator('.q-note-field').inputValue(), 'draftx');

    // Back in the field, then in another view (this page lacks the focus, the field stays its
    // active element): another window's note arrives.
    await page.locator('.q-note-field').click();
    assert.ok(await fieldFocused(page));
    await page.evaluate(() => {
      const w = window as unknown as { __focusCalls: number };
      w.__focusCalls = 0;
      const focus = HTMLElement.prototype.focus;
      HTMLElement.prototype.focus = function (this: HTMLElement, options?: FocusOptions) {
        if (this.classList.contains('q-note-field')) w.__focusCalls++;
        return focus.call(this, options);
      };
      Document.prototype.hasFocus = () => false;
    });
    await view.send(
      show({ notes: [{ sample: 0, step: 0, annotator: 'bob', text: 'bob’s view' }], others: ['bob'] }),
    );
    await page.waitForFunction(() => document.querySelector('.q-notes')?.textContent?.includes('bob’s view'));
    assert.equal(await page.evaluate(() => (window as unknown as { __focusCalls: number }).__focusCalls), 0);
    assert.equal(await page.locator('.q-note-field').inputValue(), 'draftx', 'the draft is kept');
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
});
