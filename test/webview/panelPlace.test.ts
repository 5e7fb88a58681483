/**
 * The panel keeps a person's place, in Chromium under a fake VS Code host whose setState survives a
 * reload of the page, as VS Code's does when it drops a hidden panel's page and loads it again:
 * the same sample, the same step at the same place on screen, the search, the note being typed.
 * And the Only disagreements filter never leaves a blank steps area: the checkbox is refused where
 * f is, and a sample reached with the filter on says why its steps are hidden and how to show them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Run } from '../../src/core/schemas.js';
import type { WebviewMessage } from '../../src/protocol.js';
import { launchChromium, TEST_OUTPUT } from '../browser.js';
import { makeRun, THIRTY_STEPS } from '../fixtures/makeRun.js';
import { openFakeWebview } from './fakeWebview.js';
import { openPanel, panelPagePath } from './panelPage.js';

let browser: Browser;
/** Two samples of 30 steps with display math: sample 0 disagrees from step 12 on, sample 1 nowhere. */
let run: Run;

before(async () => {
  browser = await launchChromium();
  run = await makeRun(THIRTY_STEPS);
});

after(async () => {
  await browser?.close();
});

interface Place {
  sample: string | null;
  step: string | null;
  top: number;
  scrollY: number;
  note: string | null;
  query: string | null;
}

/** Where the person is, once two reads a few frames apart agree (math typeset, rows measured). */
async function place(page: Page): Promise<Place> {
  const read = () =>
    page.evaluate(() => {
      // No named function in here: the test runner's transpiler would wrap it in a helper the page lacks.
      const note = document.querySelector('.note-field') as (Element & { value?: string }) | null;
      const search = document.querySelector('.search-bar vscode-textfield, .search-bar input') as
        | (Element & { value?: string })
        | null;
      return {
        sample:
          document.querySelector('.sample-row[aria-selected="true"]')?.getAttribute('data-sample') ?? null,
        step: document.querySelector('.step.selected')?.getAttribute('data-step') ?? null,
        top: Math.round(document.querySelector('.step.selected')?.getBoundingClientRect().top ?? Number.NaN),
        scrollY: Math.round(window.scrollY),
        note: note?.value ?? null,
        query: search?.value ?? null,
      };
    });
  let before = await read();
  for (let tries = 0; tries < 30; tries++) {
    await page.waitForTimeout(100);
    const now = await read();
    if (JSON.stringify(now) === JSON.stringify(before)) return now;
    before = now;
  }
  return before;
}

describe('a page loaded again', () => {
  test('shows the same sample, the same step at the same place on screen, the search and the note', async () => {
    const panel = await openFakeWebview<WebviewMessage>(browser, panelPagePath(), {
      width: 560,
      height: 700,
      state: 'session',
      offline: false,
    });
    const { page } = panel;
    try {
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step');
      // A search, then sample 1 (not the one the panel opened on) and down to step 25.
      await page.keyboard.press('/');
      await page.keyboard.type('partial sums');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Shift+J');
      await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 1');
      for (let i = 0; i < 25; i++) await page.keyboard.press('j');
      await page.locator('.step.selected[data-step="25"]').waitFor();
      await page.keyboard.press('m');
      await page.locator('.note-field').waitFor();
      await page.keyboard.type('not sure about');
      const was = await place(page);
      assert.deepEqual([was.sample, was.step, was.note], ['1', '25', 'not sure about']);
      assert.equal(was.query, 'partial sums');
      assert.ok(was.scrollY > 0, 'the page is scrolled down to step 25');

      // VS Code loads the page again and the host shows the run again, as on `ready`.
      await page.reload();
      await page.waitForFunction(() =>
        (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
      );
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step');
      const now = await place(page);
      await page.screenshot({ path: join(TEST_OUTPUT, 'panel-place-reloaded.png') });
      assert.deepEqual(
        { ...now, scrollY: undefined },
        { ...was, scrollY: undefined },
        'the same sample, step, place on screen, note and search',
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});

describe('the place held after a reload is let go', () => {
  /** A page loaded again at sample 1's step 25, held there while its rows settle. */
  async function restored() {
    const panel = await openFakeWebview<WebviewMessage>(browser, panelPagePath(), {
      width: 560,
      height: 700,
      state: 'session',
      offline: false,
    });
    const { page } = panel;
    await panel.send({ type: 'run/show', run, events: [], readOnly: false });
    await page.waitForSelector('.step');
    await page.keyboard.press('Shift+J');
    await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 1');
    for (let i = 0; i < 25; i++) await page.keyboard.press('j');
    await page.locator('.step.selected[data-step="25"]').waitFor();
    await place(page);
    await page.reload();
    await page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
    );
    await panel.send({ type: 'run/show', run, events: [], readOnly: false });
    await page.locator('.step.selected[data-step="25"]').waitFor();
    assert.ok((await place(page)).scrollY > 0, 'restored down at step 25');
    return panel;
  }

  test('another run shown starts at its top, though nothing was pressed in the page', async () => {
    const panel = await restored();
    try {
      const other = structuredClone(run);
      other.id = `${run.id}-other`;
      await panel.send({ type: 'run/show', run: other, events: [], readOnly: false });
      await panel.page.waitForFunction(() => document.querySelector('.steps-head h3') !== null);
      assert.equal((await place(panel.page)).scrollY, 0, "the last run's step is not held over this run");
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  /** Heights above the steps change (as typesetting changes them): a held step would be put back. */
  const growAbove = (page: Page) =>
    page.evaluate(() => {
      const spacer = document.createElement('div');
      spacer.style.height = '300px';
      document.querySelector('.steps')!.before(spacer);
    });

  test("the person's wheel lets go at once: the page stays where they scrolled", async () => {
    const panel = await restored();
    const { page } = panel;
    try {
      await page.mouse.move(200, 300);
      await page.mouse.wheel(0, -400);
      const scrolled = await place(page);
      await growAbove(page);
      await page.waitForTimeout(300);
      assert.equal((await place(page)).scrollY, scrolled.scrollY);
    } finally {
      await panel.close();
    }
  });

  test('a page left alone lets go once its heights are still (a scrollbar drag sends no event)', async () => {
    const panel = await restored();
    const { page } = panel;
    try {
      await page.waitForTimeout(2500);
      await page.evaluate(() => window.scrollTo(0, 40));
      await growAbove(page);
      await page.waitForTimeout(300);
      assert.equal((await place(page)).scrollY, 40);
    } finally {
      await panel.close();
    }
  });
});

describe('Only disagreements never leaves a blank steps area', () => {
  test('the checkbox on a sample where the judges agree is refused as f is: the steps and the step stay', async () => {
    const panel = await openPanel(browser, { height: 700 });
    const { page } = panel;
    try {
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step');
      await page.keyboard.press('Shift+J');
      await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 1');
      for (let i = 0; i < 12; i++) await page.keyboard.press('j');
      // The person scrolls up to the checkbox (step 12 may leave the screen) and clicks it.
      const checkbox = page.locator('.steps-head vscode-checkbox');
      await checkbox.scrollIntoViewIfNeeded();
      const was = await place(page);
      await checkbox.click();
      const note = page.locator('.status .key-note');
      await note.waitFor();
      assert.match(
        (await note.textContent()) ?? '',
        /Sample 1 has no disagreements: Only disagreements \(f\) would hide all its steps, so they stay shown/,
      );
      const box = await note.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= 700, 'the note is in sight');
      assert.equal(
        await page.locator('.steps-head vscode-checkbox').evaluate((el) => (el as HTMLInputElement).checked),
        false,
        'the checkbox shows the filter off',
      );
      assert.equal(
        await page.evaluate(() => document.activeElement?.closest('.steps-head vscode-checkbox') !== null),
        true,
        'the checkbox keeps the focus: a keyboard user is still on it',
      );
      const now = await place(page);
      assert.deepEqual(now, was, 'nothing moved: the same step selected, the page where it was');
      assert.equal(
        await page.evaluate(
          () =>
            (window as unknown as { steplens: { state: { view: { step: number } } } }).steplens.state.view
              .step,
        ),
        12,
        'step 12 is still the selected one',
      );
      assert.ok((await page.locator('.step').count()) > 0, 'the steps stay shown');
      await page.screenshot({ path: join(TEST_OUTPUT, 'panel-filter-checkbox-refused.png') });
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });

  test('a sample reached with the filter on says why its steps are hidden, and Show all steps brings them back', async () => {
    const panel = await openPanel(browser, { height: 700 });
    const { page } = panel;
    try {
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await page.waitForSelector('.step');
      await page.locator('.steps-head vscode-checkbox').click();
      await page.waitForFunction(() =>
        [...document.querySelectorAll('.step')].every((row) => row.classList.contains('disagree')),
      );
      await page.keyboard.press('Shift+J');
      await page.waitForFunction(() => document.querySelector('.steps-head h3')?.textContent === 'Sample 1');
      const says = page.locator('.steps .no-disagreements');
      await says.waitFor();
      assert.equal(await page.locator('.step').count(), 0);
      assert.match(
        (await says.textContent()) ?? '',
        /judges agree on every step of this sample\. Only disagreements hides all 30 steps of sample 1\./,
      );
      const show = says.getByText('Show all steps');
      assert.ok(await show.isVisible(), 'the way back is offered where the steps would be');
      await page.screenshot({ path: join(TEST_OUTPUT, 'panel-filter-no-disagreements.png') });
      await show.click();
      await page.waitForFunction(() => document.querySelectorAll('.step').length > 0);
      assert.equal(await says.count(), 0);
      assert.equal(
        await page.locator('.steps-head vscode-checkbox').evaluate((el) => (el as HTMLInputElement).checked),
        false,
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});
