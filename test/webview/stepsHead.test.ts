/**
 * The steps' heading says what the Only disagreements filter hides: a first error flagged in the
 * heading may be on a hidden step, and a person should not take the shown steps for all of them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Run } from '../../src/core/schemas.js';
import { launchChromium } from '../browser.js';
import { makeRun, THIRTY_STEPS } from '../fixtures/makeRun.js';
import { openPanel } from './panelPage.js';

let browser: Browser;
/** Two samples of 30 steps: sample 0 disagrees from step 12 on, sample 1 nowhere. */
let run: Run;

before(async () => {
  browser = await launchChromium();
  run = await makeRun(THIRTY_STEPS);
});

after(async () => {
  await browser?.close();
});

const facts = (page: import('playwright-core').Page) =>
  page.evaluate(() => document.querySelector('.sample-facts')?.textContent ?? '');

test('with Only disagreements on, the heading counts the steps it hides; off, it says nothing of it', async () => {
  const panel = await openPanel(browser);
  try {
    await panel.send({ type: 'run/show', run, events: [], readOnly: false });
    await panel.page.waitForSelector('.step');
    assert.match(await facts(panel.page), /^30 steps · answer/);
    await panel.page.keyboard.press('f');
    await panel.page.waitForFunction(() =>
      /hidden by Only disagreements/.test(document.querySelector('.sample-facts')?.textContent ?? ''),
    );
    const hidden = Number(/\((\d+) hidden by Only disagreements\)/.exec(await facts(panel.page))?.[1]);
    // Sample 0 disagrees from step 12 on: steps 0–11 are hidden.
    assert.equal(hidden, 12);
    await panel.page.keyboard.press('f');
    await panel.page.waitForFunction(() =>
      /^30 steps · answer/.test(document.querySelector('.sample-facts')?.textContent ?? ''),
    );
    assert.deepEqual(panel.errors, []);
  } finally {
    await panel.close();
  }
});
