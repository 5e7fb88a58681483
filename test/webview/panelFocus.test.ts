/**
 * The panel's keyboard focus and its key notes, in Chromium (the built panel under a fake VS Code
 * host). The same run may be open in two StepLens webviews; a label saved in one reaches the other
 * as `run/labels` and redraws it: a page that is not focused must not take the focus then (it
 * pulled the keyboard out of the other view, into its note draft). A note field lets VS Code's own
 * keys (F1, Ctrl+P) through, and never selects its draft when it takes the focus. A refused key's
 * note goes by itself and on Escape, and never covers the run's title.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Run } from '../../src/core/schemas.js';
import type { WebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium } from '../browser.js';
import { EIGHT_SAMPLES, makeRun } from '../fixtures/makeRun.js';
import { ROOT } from '../support.js';
import { openFakeWebview } from './fakeWebview.js';
import { openPanel, panelPagePath } from './panelPage.js';

let browser: Browser;
let run: Run;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  assert.ok(
    existsSync(join(ROOT, 'dist', 'webview.js')),
    'dist/webview.js is missing: run npm run build first',
  );
  browser = await launchChromium();
  run = await makeRun(EIGHT_SAMPLES);
});

after(async () => {
  await browser?.close();
});

const audits = (messages: WebviewMessage[]) => messages.filter((m) => m.type === 'audit/append');

const fieldValue = (page: Page | Frame) =>
  page.$eval('.note-field', (field) => (field as HTMLElement & { value: string }).value);
const fieldFocused = (page: Page) =>
  page.evaluate(() => document.activeElement?.classList.contains('note-field') === true);

/** Two frames and the field's own render: whatever a redraw was going to focus has been. */
const settle = (page: Page | Frame) =>
  page.evaluate(async () => {
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const field = document.querySelector('.note-field') as
      | (HTMLElement & { updateComplete?: Promise<unknown> })
      | null;
    await field?.updateComplete;
    await new Promise((done) => setTimeout(done, 0));
  });

/** Counts focus() calls on note fields, and can make the page report that it lacks the focus. */
const FOCUS_PROBE = `
  (() => {
    window.__noteFocusCalls = 0;
    const focus = HTMLElement.prototype.focus;
    HTMLElement.prototype.focus = function (options) {
      if (this.classList.contains('note-field')) window.__noteFocusCalls++;
      return focus.call(this, options);
    };
    window.__unfocused = false;
    const hasFocus = Document.prototype.hasFocus;
    Document.prototype.hasFocus = function () { return window.__unfocused ? false : hasFocus.call(this); };
  })();
`;

/** What a frame's panel posted to its (fake) host, and a host message delivered to it. */
const framePosted = (frame: Frame) =>
  frame.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);
const frameSend = (frame: Frame, message: unknown) =>
  frame.evaluate((m) => window.postMessage(m, '*'), message);

/**
 * The run open in two StepLens webviews of one window, as VS Code shows them: the side view and
 * the editor panel, each the panel page in its own frame. The test plays the host: a label one
 * posts reaches the other as `run/labels`.
 */
async function twoViews(): Promise<{ page: Page; side: Frame; editor: Frame; close: () => Promise<void> }> {
  const host = join(mkdtempSync(join(tmpdir(), 'steplens-two-views-')), 'window.html');
  const frame = (id: string, width: number) =>
    `<iframe id="${id}" name="${id}" src="file://${panelPagePath()}" style="width:${width}px;height:900px"></iframe>`;
  writeFileSync(
    host,
    `<!doctype html><body style="margin:0;display:flex">${frame('side', 400)}${frame('editor', 560)}</body>`,
  );
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(`(() => {
    const posted = [];
    let state;
    window.__posted = posted;
    window.acquireVsCodeApi = () => ({ postMessage(m) { posted.push(m); }, getState() { return state; }, setState(s) { state = s; } });
  })();`);
  await page.goto(`file://${host}`);
  const side = page.frame({ name: 'side' });
  const editor = page.frame({ name: 'editor' });
  assert.ok(side && editor);
  for (const view of [side, editor]) {
    await view.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
    );
    await frameSend(view, { type: 'run/show', run, events: [], readOnly: false });
    await view.waitForSelector('.step[data-step="3"]');
  }
  return { page, side, editor, close: () => context.close() };
}

describe('the run open in two views, a note draft in one', () => {
  test('a label saved in the other view leaves the keyboard there, and the draft as it was', async () => {
    const { page, side, editor, close } = await twoViews();
    /** Which view has the keyboard: the window's focused frame, and that frame's own word. */
    const focusedView = async () => ({
      frame: await page.evaluate(() => document.activeElement?.id),
      side: await side.evaluate(() => document.hasFocus()),
      editor: await editor.evaluate(() => document.hasFocus()),
    });
    const inEditor = { frame: 'editor', side: false, editor: true };
    /** The editor's labels since `from`, sent to the side view as the host would. */
    const forward = async (from: number) => {
      const events = (await framePosted(editor))
        .slice(from)
        .flatMap((m) => (m.type === 'audit/append' ? [m.event] : []));
      assert.ok(events.length > 0, 'the editor posted a label');
      await frameSend(side, { type: 'run/labels', runId: run.id, events });
    };
    try {
      // A draft in the side view (sample 2, step 1).
      await side.click('.step[data-step="1"] .step-index');
      await page.keyboard.press('m');
      await side.waitForSelector('.note-field');
      await page.keyboard.type('side draft');

      // In the editor panel: 2 rates step 2; the label reaches the side view, which redraws.
      await editor.click('.step[data-step="2"] .step-index');
      assert.deepEqual(await focusedView(), inEditor);
      await page.keyboard.press('2');
      await forward(0);
      await side.waitForSelector('.step[data-step="2"] .chip.rating.r0.active');
      await settle(side);
      assert.deepEqual(await focusedView(), inEditor, 'the keyboard stays in the editor panel after 2');

      // A note saved there (m, text, Enter) reaches the side view too.
      const before = (await framePosted(editor)).length;
      await page.keyboard.press('m');
      await editor.waitForSelector('.note-field');
      await page.keyboard.type('the real note');
      await page.keyboard.press('Enter');
      await forward(before);
      await side.waitForFunction(() => document.querySelector('.step[data-step="2"] .step-note'));
      await settle(side);
      assert.deepEqual(await focusedView(), inEditor, 'the keyboard stays in the editor panel after Enter');

      // The next keys are the editor's: the side view's draft is as it was, and nothing saved it.
      await page.keyboard.type('xb');
      assert.equal(await fieldValue(side), 'side draft');
      assert.deepEqual(audits(await framePosted(side)), [], 'the side view saved nothing');
    } finally {
      await close();
    }
  });
});

describe('a note draft and a label saved in another view of the run', () => {
  test('the redraw of a page that does not have the focus never focuses its note field', async () => {
    const view = await openFakeWebview<WebviewMessage>(browser, panelPagePath(), {
      width: 560,
      height: 1000,
      state: 'memory',
      offline: false,
      initScripts: [FOCUS_PROBE],
    });
    const { page } = view;
    try {
      await view.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step[data-step="1"]');
      // The person opens a note here (sample 2, step 1) and writes a draft: m focuses it.
      await page.keyboard.press('m');
      await page.waitForSelector('.note-field');
      await settle(page);
      assert.ok(await fieldFocused(page), 'm in this page focuses the field');
      await page.keyboard.type('draft here');

      // They go to the other view (this page loses the focus; its field stays its active element)
      // and rate a step there: the label reaches this page, which redraws the steps.
      await page.evaluate(() => {
        (window as unknown as { __unfocused: boolean; __noteFocusCalls: number }).__unfocused = true;
        (window as unknown as { __noteFocusCalls: number }).__noteFocusCalls = 0;
      });
      const at = '2026-11-29T10:00:00.000Z';
      await view.send({
        type: 'run/labels',
        runId: run.id,
        events: [{ type: 'stepRating', schemaVersion: 1, at, sample: 2, step: 2, rating: 0 }],
      });
      await page.waitForSelector('.step[data-step="2"] .chip.rating.r0.active');
      await settle(page);
      assert.equal(
        await page.evaluate(() => (window as unknown as { __noteFocusCalls: number }).__noteFocusCalls),
        0,
        'the note field is not focused by a redraw while the page lacks the focus',
      );
      assert.equal(await fieldValue(page), 'draft here', 'the draft is kept as typed');

      // Back in this page, with the field focused, another label arrives: the focus stays in the
      // field (the one it had is drawn again), and typing goes on at the end of the draft.
      await page.evaluate(() => {
        (window as unknown as { __unfocused: boolean }).__unfocused = false;
      });
      await page.click('.note-field');
      await page.keyboard.press('End');
      await view.send({
        type: 'run/labels',
        runId: run.id,
        events: [
          { type: 'stepRating', schemaVersion: 1, at, sample: 2, step: 2, rating: 0 },
          { type: 'stepRating', schemaVersion: 1, at, sample: 2, step: 3, rating: 1 },
        ],
      });
      await page.waitForSelector('.step[data-step="3"] .chip.rating.r1.active');
      await settle(page);
      assert.ok(await fieldFocused(page), 'a focused page keeps its note field focused across the redraw');
      await page.keyboard.type(' more');
      assert.equal(await fieldValue(page), 'draft here more');
      assert.deepEqual(audits(await view.posted()), [], 'nothing saved');
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });
});

describe('a note draft brought back in a page VS Code loads again', () => {
  test('comes back unfocused; what is typed next goes after its text, never over it', async () => {
    const view = await openFakeWebview<WebviewMessage>(browser, panelPagePath(), {
      width: 560,
      height: 1000,
      state: 'session',
      offline: false,
    });
    const { page } = view;
    try {
      await view.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step[data-step="1"]');
      await page.keyboard.press('m');
      await page.waitForSelector('.note-field');
      await page.keyboard.type('half a thought');
      // Tabbed out of the field, then the view is hidden and shown again: a new page.
      await page.keyboard.press('Shift+Tab');
      assert.equal(await fieldFocused(page), false);
      await page.reload();
      await page.waitForFunction(() =>
        (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
      );
      await view.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.note-field');
      await settle(page);
      assert.equal(await fieldValue(page), 'half a thought', 'the draft is back');
      assert.equal(await fieldFocused(page), false, 'a page loaded again does not take the focus');

      // A letter typed on the page goes into the open note, after its text.
      await page.keyboard.type('s');
      assert.equal(await fieldValue(page), 'half a thoughts');
      // The field left with all its text selected (as Tab into it selects it): focused again by
      // the next letter typed on the page, the caret is after the text, nothing is selected.
      await page.evaluate(() => {
        const field = document.querySelector('.note-field') as HTMLElement;
        field.shadowRoot!.querySelector('input')!.select();
        field.blur();
      });
      assert.equal(await fieldFocused(page), false);
      await page.keyboard.type(' more');
      assert.equal(await fieldValue(page), 'half a thoughts more');
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });
});

describe('keys in the note field', () => {
  test('typed characters fire no shortcut; F1 and Ctrl+P reach the window, not stopped', async () => {
    const panel = await openPanel(browser);
    const { page } = panel;
    try {
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step[data-step="1"]');
      await page.keyboard.press('m');
      await page.waitForSelector('.note-field');
      await page.keyboard.type('e1jnps3u0g/f');
      assert.equal(await fieldValue(page), 'e1jnps3u0g/f');
      assert.deepEqual(audits(await panel.posted()), [], 'no label from typed keys');
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
      // AltGr+Q types @ on a German keyboard, reported by Windows as Ctrl+Alt: text, kept in the field.
      const heard = await page.evaluate(() => {
        const w = window as unknown as { __heard: string[] };
        w.__heard.length = 0;
        document.querySelector('.note-field')!.dispatchEvent(
          new KeyboardEvent('keydown', {
            key: '@',
            ctrlKey: true,
            altKey: true,
            modifierAltGraph: true,
            bubbles: true,
            composed: true,
          } as KeyboardEventInit),
        );
        return w.__heard;
      });
      assert.deepEqual(heard, [], 'AltGr+Q stays in the field');
      // The palette's keys last: after them the page swallows typing for a moment (paletteGuard.ts).
      for (const key of ['Control+p', 'Control+b', 'x', 'Control+Shift+P', 'F1'])
        await page.keyboard.press(key);
      assert.deepEqual(
        await page.evaluate(() => (window as unknown as { __heard: string[] }).__heard),
        ['Ctrl+Control', 'Ctrl+p', 'Ctrl+Control', 'Ctrl+b', 'Ctrl+Control', 'Ctrl+Shift', 'Ctrl+P', 'F1'],
        'VS Code hears its keys; a typed x stays in the field',
      );
      assert.equal(await fieldValue(page), 'e1jnps3u0g/fx');
      assert.ok(await fieldFocused(page));
      assert.deepEqual(audits(await panel.posted()), []);
    } finally {
      await panel.close();
    }
  });
});

describe('a key refused with a note', () => {
  test('the note sits above the run’s title, goes on Escape and by itself after a few seconds', async () => {
    const panel = await openPanel(browser, { height: 800 });
    const { page } = panel;
    try {
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step');
      // Sample 0: the judges agree on every step, so f is refused.
      await page.click('.sample-row[data-index="0"]');
      await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 0');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.keyboard.press('f');
      const note = page.locator('.status .key-note');
      await note.waitFor();
      assert.match((await note.textContent()) ?? '', /Sample 0 has no disagreements/);
      const boxes = await page.evaluate(() => ({
        note: document.querySelector('.status .key-note')!.getBoundingClientRect().toJSON(),
        title: document.querySelector('.problem')!.getBoundingClientRect().toJSON(),
      }));
      assert.ok(boxes.note.top >= 0, 'the note is in sight');
      assert.ok(
        boxes.note.bottom <= boxes.title.top,
        `the note (bottom ${boxes.note.bottom}) is above the title (top ${boxes.title.top}), not over it`,
      );

      await page.keyboard.press('Escape');
      await note.waitFor({ state: 'detached' });

      // Timers from here run on the test's clock: the note stays to be read, then goes by itself.
      await page.clock.install();
      await page.keyboard.press('f');
      await note.waitFor();
      await page.clock.runFor(2000);
      assert.equal(await note.count(), 1, 'still there to be read');
      await page.clock.runFor(10_000);
      await note.waitFor({ state: 'detached' });
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});
