/**
 * A run opened at a step (the Dataset Report, the audit queue's `o`) shows that step on screen once
 * the page has settled: the rows above it are estimates until drawn and measured, and typeset math
 * changes their heights after, so a step scrolled to early drifts off screen (a trial saw step 3
 * at 1090 px in an 808 px panel).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Run } from '../../src/core/schemas.js';
import { launchChromium } from '../browser.js';
import { makeRun, THIRTY_STEPS } from '../fixtures/makeRun.js';
import { openPanel } from './panelPage.js';

let browser: Browser;
/** Two samples of 30 steps with display math. */
let run: Run;

before(async () => {
  browser = await launchChromium();
  run = await makeRun(THIRTY_STEPS);
});

after(async () => {
  await browser?.close();
});

for (const step of [3, 25]) {
  test(`opened at step ${step} of sample 1, the step is on screen once the page settles`, async () => {
    const panel = await openPanel(browser, { width: 560, height: 700 });
    try {
      await panel.send({
        type: 'run/show',
        run,
        events: [],
        readOnly: false,
        focus: { id: 1, sample: 1, step },
      });
      await panel.page.locator(`.step.selected[data-step="${step}"]`).waitFor();
      // Settled: math typeset, two reads a few frames apart agree.
      await panel.page.waitForFunction(() => document.querySelectorAll('.math-pending').length === 0);
      let last = Number.NaN;
      for (let tries = 0; tries < 30; tries++) {
        await panel.page.waitForTimeout(100);
        const top = await panel.page.$eval('.step.selected', (row) =>
          Math.round(row.getBoundingClientRect().top),
        );
        if (top === last) break;
        last = top;
      }
      const box = await panel.page.$eval('.step.selected', (row) => {
        const rect = row.getBoundingClientRect();
        return { top: rect.top, bottom: Math.min(rect.bottom, rect.top + 80), height: window.innerHeight };
      });
      assert.ok(box.top >= 0 && box.bottom <= box.height, `step ${step} at ${JSON.stringify(box)}`);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
}
