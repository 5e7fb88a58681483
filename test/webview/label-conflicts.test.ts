/**
 * A person's own labels on one sample that contradict each other (core/labelConflicts): the panel
 * says so beside the labels, in words, while labelling goes on in either order.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Run } from '../../src/core/schemas.js';
import type { WebviewMessage } from '../../src/protocol.js';
import { CHROMIUM, launchChromium } from '../browser.js';
import { EIGHT_SAMPLES, makeRun } from '../fixtures/makeRun.js';
import { ROOT } from '../support.js';
import { openPanel, type PanelPage } from './panelPage.js';

let browser: Browser;
let run: Run;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the test command installs Debian's chromium`);
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

/** Each shown contradiction note: [its step, its words]. */
async function notes(panel: PanelPage): Promise<[string, string][]> {
  return panel.page.$$eval('.label-conflict:not([hidden])', (elements) =>
    elements.map((element) => [
      (element.closest('.step') as HTMLElement).dataset.step ?? '',
      (element.textContent ?? '').trim(),
    ]),
  );
}

const audits = (messages: WebviewMessage[]) =>
  messages
    .filter((m): m is Extract<WebviewMessage, { type: 'audit/append' }> => m.type === 'audit/append')
    .map(({ event: { at: _at, schemaVersion: _v, ...rest } }) => rest);

describe('labels that contradict each other', () => {
  test('"no error" after a step rated −1 is said beside the labels, naming the step, until fixed', async () => {
    const panel = await openPanel(browser);
    try {
      await panel.send({ type: 'run/show', run, events: [], readOnly: false });
      await panel.page.waitForSelector('.step.selected[data-step="1"]');
      const keys = panel.page.keyboard;
      await keys.press('1'); // step 1 of sample 2 is wrong
      await keys.press('j');
      assert.deepEqual(await notes(panel), [], 'a −1 and no mark yet contradict nothing');
      await keys.press('0'); // …and yet the sample has no error
      await panel.page.waitForSelector('.label-conflict:not([hidden])');
      assert.deepEqual(await notes(panel), [
        ['1', 'This rating contradicts the first-error mark.'],
        [
          '2',
          'Labels contradict: marked no error, but step 1 is rated −1. Until one changes, exports leave this sample out.',
        ],
      ]);
      // The samples table says it too, where the set first error shows ("!" instead of "✓").
      const rated = () =>
        panel.page.$eval('.sample-list .sample-row[data-sample="2"] .rated', (cell) => ({
          text: cell.textContent,
          title: (cell as HTMLElement).title,
        }));
      await panel.page.waitForFunction(() =>
        document
          .querySelector('.sample-list .sample-row[data-sample="2"] .rated')
          ?.textContent?.endsWith('!'),
      );
      assert.match((await rated()).title, /labels contradict: marked no error, but step 1 is rated −1/);
      // Nothing was refused: both labels went to the host.
      assert.deepEqual(audits(await panel.posted()), [
        { type: 'stepRating', sample: 2, step: 1, rating: -1 },
        { type: 'firstError', sample: 2, step: -1 },
      ]);

      // The words follow the selection: they stand where the person is labelling.
      await keys.press('k');
      await panel.page.waitForSelector('.step.selected[data-step="1"] .label-conflict:not([hidden])');
      assert.deepEqual(await notes(panel), [
        [
          '1',
          'Labels contradict: marked no error, but step 1 is rated −1. Until one changes, exports leave this sample out.',
        ],
      ]);

      // The first error marked at step 1 agrees with its −1: nothing to say.
      await keys.press('e');
      await panel.page.waitForSelector('.step[data-step="1"] .flag.human');
      assert.deepEqual(await notes(panel), []);
      await panel.page.waitForFunction(() =>
        document
          .querySelector('.sample-list .sample-row[data-sample="2"] .rated')
          ?.textContent?.endsWith('✓'),
      );
      assert.doesNotMatch((await rated()).title, /contradict/);

      // Rated +1 now, the marked first error contradicts its own rating.
      await keys.press('3');
      await panel.page.waitForSelector('.label-conflict:not([hidden])');
      assert.deepEqual(await notes(panel), [
        [
          '1',
          'Labels contradict: first error marked at step 1, but that step is rated +1. Until one changes, exports leave this sample out.',
        ],
      ]);
      assert.deepEqual(panel.errors, []);
    } finally {
      await panel.close();
    }
  });
});
