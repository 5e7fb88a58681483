/**
 * The adjudication view in Chromium: the page the host builds (src/adjudicateHtml.ts, its CSP)
 * with the built dist/adjudicate.js and a fake VS Code host that answers each save by hand.
 * Keyboard only: a rating disagreement and a first-error one are settled, progress follows the
 * host's answers (never ahead of them), a failed save is shown and the item stays; run text is
 * shown as text.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { adjudicateHtml } from '../../src/adjudicateHtml.js';
import { adjudicationItems } from '../../src/core/adjudication.js';
import { stampEvent } from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import type { AdjudicateHostMessage, AdjudicateWebviewMessage } from '../../src/protocol.js';
import { createNonce, panelDeferredAssets } from '../../src/webviewHtml.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { smallRun } from '../fixtures/smallRun.js';
import { ROOT } from '../support.js';
import { openFakeWebview } from './fakeWebview.js';

const HOSTILE = 'What is $6 \\times 7$? <img src=x onerror="window.__owned=1"><b>bold</b>';

const at = new Date('2026-11-29T10:00:00Z');
const own = (annotator: string, event: AuditEvent): AuditEvent => ({ ...event, annotator });
const events: AuditEvent[] = [
  // Sample 0: a rating disagreement on step 1 (both say no error).
  own('ana', stampEvent({ type: 'stepRating', sample: 0, step: 0, rating: 1 }, at)),
  own('ben', stampEvent({ type: 'stepRating', sample: 0, step: 0, rating: 1 }, at)),
  own('ana', stampEvent({ type: 'stepRating', sample: 0, step: 1, rating: 0 }, at)),
  own('ben', stampEvent({ type: 'stepRating', sample: 0, step: 1, rating: 1 }, at)),
  // Sample 1: first errors differ.
  own('ana', stampEvent({ type: 'firstError', sample: 1, step: 0 }, at)),
  own('ben', stampEvent({ type: 'firstError', sample: 1, step: -1 }, at)),
  // Sample 2: a rating disagreement, for the failed save.
  own('ana', stampEvent({ type: 'stepRating', sample: 2, step: 1, rating: -1 }, at)),
  own('ben', stampEvent({ type: 'stepRating', sample: 2, step: 1, rating: 0 }, at)),
];

let browser: Browser;
let pagePath: string;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  const script = join(ROOT, 'dist', 'adjudicate.js');
  assert.ok(existsSync(script), 'dist/adjudicate.js is missing: run node scripts/build.mjs first');
  const html = adjudicateHtml({
    nonce: createNonce(),
    inlineScript: readFileSync(script, 'utf8'),
    // KaTeX inline, as a standalone page carries it.
    deferred: panelDeferredAssets((name) => readFileSync(join(ROOT, 'dist', name), 'utf8'), true),
    title: 'aime24-test',
  });
  pagePath = join(mkdtempSync(join(tmpdir(), 'steplens-adjudicate-')), 'adjudicate.html');
  writeFileSync(pagePath, html);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

interface View {
  page: Page;
  errors: string[];
  /** The page's audit/append messages so far. */
  appends(): Promise<Extract<AdjudicateWebviewMessage, { type: 'audit/append' }>[]>;
  answer(message: AdjudicateHostMessage): Promise<void>;
  close(): Promise<void>;
}

async function openView(colorScheme: 'light' | 'dark', width = 1000): Promise<View> {
  const { page, errors, posted, send, close } = await openFakeWebview<AdjudicateWebviewMessage>(
    browser,
    pagePath,
    { width, height: 760, colorScheme },
  );
  const answer = (message: AdjudicateHostMessage) => send(message);
  const run = smallRun();
  run.problem.text = HOSTILE;
  run.problem.id = 'aime24-07';
  await answer({
    type: 'adjudicate/items',
    title: 'aime24-test',
    annotator: 'cai',
    items: adjudicationItems([{ run, events }]),
  });
  await page.waitForSelector('section.item');
  return {
    page,
    errors,
    appends: async () =>
      (await posted()).filter(
        (m): m is Extract<AdjudicateWebviewMessage, { type: 'audit/append' }> => m.type === 'audit/append',
      ),
    answer,
    close,
  };
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').trim();

describe('the adjudication view', () => {
  test('keyboard only: settle a rating and a first error; saved and progress only on the host answer', async () => {
    const view = await openView('light');
    try {
      const { page } = view;
      assert.equal(await text(page, '.progress'), '0 of 3 settled');
      assert.match(await text(page, '.item-head .where'), /sample 0 · rating of step 1/);
      // Each annotator's value side by side, with the key that takes it.
      assert.deepEqual(
        await page.locator('.value').evaluateAll((values) => values.map((v) => v.textContent)),
        ['aana0neutral', 'bben+1good'],
      );
      assert.match(await text(page, '.step.focus .judge-scores'), /scores: self 1\.00 · qwen-prm 0\.95/);
      assert.equal(
        await text(page, '.step.context .step-text'),
        '6 × 7 = 42',
        'the previous step for context',
      );
      // Run text is text, its TeX typeset (as in the panel and the queue).
      await page.waitForSelector('.problem .katex');
      const prose = await page.$eval('.problem', (node) => {
        const copy = node.cloneNode(true) as HTMLElement;
        for (const math of copy.querySelectorAll('.math')) math.remove();
        return copy.textContent;
      });
      assert.equal(prose, 'What is ? <img src=x onerror="window.__owned=1"><b>bold</b>');
      assert.equal(await page.locator('section.item img, section.item b').count(), 0);
      assert.match(await text(page, '.legend'), /1 \/ 2 \/ 3/);

      await page.keyboard.press('3');
      const [first] = await view.appends();
      assert.equal(first?.runId, 'run-a');
      assert.equal(first?.event.type, 'stepRating');
      assert.deepEqual(
        [first?.event.sample, first?.event.type === 'stepRating' && first.event.rating],
        [0, 1],
      );
      assert.match(await text(page, '.status'), /^saving problem aime24-07, sample 0, step 1: \+1/);
      assert.equal(await text(page, '.progress'), '0 of 3 settled', 'not settled before the host says saved');
      await view.answer({ type: 'audit/saved', runId: 'run-a', requestId: first!.requestId });
      await page.waitForFunction(() => document.querySelector('.progress')?.textContent === '1 of 3 settled');
      assert.equal(await text(page, '.status'), 'saved problem aime24-07, sample 0, step 1: +1');

      // On to the first-error item: b takes ben's "no error".
      assert.match(await text(page, '.item-head .where'), /sample 1 · human first error/);
      assert.match(await text(page, '.legend'), /e\s*first error is the shown step/);
      await page.keyboard.press('b');
      const second = (await view.appends())[1];
      assert.deepEqual(
        second?.event.type === 'firstError' && [second.event.sample, second.event.step],
        [1, -1],
      );
      await view.answer({ type: 'audit/saved', runId: 'run-a', requestId: second!.requestId });
      await page.waitForFunction(() => document.querySelector('.progress')?.textContent === '2 of 3 settled');
      assert.match(await text(page, '.item-head .where'), /sample 2 · rating of step 1/);
      await page.screenshot({ path: join(TEST_OUTPUT, 'adjudicate-light.png') });

      // k goes back: the settled item says what it was settled as.
      await page.keyboard.press('k');
      assert.equal(await text(page, '.item-head .state'), 'settled: no error');
      assert.deepEqual(view.errors, []);
      assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);
    } finally {
      await view.close();
    }
  });

  test('a failed save is shown and the item stays open and in focus', async () => {
    const view = await openView('dark');
    try {
      const { page } = view;
      await page.keyboard.press('n');
      await page.keyboard.press('n');
      assert.match(await text(page, '.item-head .where'), /sample 2 · rating of step 1/);
      await page.keyboard.press('1');
      const [request] = await view.appends();
      await view.answer({
        type: 'audit/failed',
        runId: 'run-a',
        requestId: request!.requestId,
        message: 'EACCES: permission denied',
      });
      await page.waitForFunction(() =>
        document.querySelector('.status')?.textContent?.startsWith('not saved'),
      );
      // The failure line names the problem, the sample, the step and the value it failed for.
      assert.equal(
        await text(page, '.status'),
        'not saved problem aime24-07, sample 2, step 1: −1 (EACCES: permission denied). It stays open: press the key again to retry.',
      );
      assert.match(
        await text(page, '.item-head .where'),
        /sample 2 · rating of step 1/,
        'the item does not advance',
      );
      assert.equal(await text(page, '.item-head .state'), 'open');
      assert.equal(await text(page, '.progress'), '0 of 3 settled · 1 not saved');
      assert.match(
        await text(page, 'ol.items li.failed'),
        /^✗ aime24-07 · sample 2 · step 1/,
        'the list marks it',
      );
      await page.screenshot({ path: join(TEST_OUTPUT, 'adjudicate-dark.png') });
      // The first-error item: l shows the next step and e names it.
      await page.keyboard.press('k');
      assert.match(await text(page, '.item-head .where'), /sample 1 · human first error/);
      assert.equal(await text(page, '.step.focus .step-index'), 'step 0');
      await page.keyboard.press('l');
      assert.equal(await text(page, '.step.focus .step-index'), 'step 1');
      assert.match(await text(page, '.legend'), /^a \/ b\s*take that annotator's first error/);
      await page.screenshot({ path: join(TEST_OUTPUT, 'adjudicate-first-error-dark.png') });
      await page.keyboard.press('e');
      const second = (await view.appends())[1];
      assert.deepEqual(second?.event.type === 'firstError' && second.event.step, 1);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  test('a failure note is shown only with its own item: moving between two failed items shows each its own', async () => {
    const view = await openView('light');
    try {
      const { page } = view;
      const fail = async (message: string) => {
        const request = (await view.appends()).at(-1)!;
        await view.answer({ type: 'audit/failed', runId: 'run-a', requestId: request.requestId, message });
        await page.waitForFunction(
          (m) => document.querySelector('.status')?.textContent?.includes(m),
          message,
        );
      };
      await page.keyboard.press('n');
      await page.keyboard.press('n');
      assert.match(await text(page, '.item-head .where'), /sample 2 · rating of step 1/);
      await page.keyboard.press('1');
      await fail('EACCES: permission denied');

      // The first-error item: no word of sample 2's failure, nor its "press the key again".
      await page.keyboard.press('k');
      assert.match(await text(page, '.item-head .where'), /sample 1 · human first error/);
      assert.equal(await text(page, '.status'), '');
      assert.match(await text(page, '.progress'), /1 not saved/, 'the failure is still counted');
      await page.keyboard.press('l');
      await page.keyboard.press('e');
      await fail('ENOSPC: no space left on device');
      assert.equal(
        await text(page, '.status'),
        'not saved problem aime24-07, sample 1, first error: step 1 (ENOSPC: no space left on device). It stays open: press the key again to retry.',
      );
      await page.screenshot({ path: join(TEST_OUTPUT, 'adjudicate-first-error-failed-light.png') });

      // Back and forth: each item shows its own note and never the other's.
      for (const [key, where, own, other] of [
        ['j', /sample 2 · rating of step 1/, 'EACCES', 'ENOSPC'],
        ['k', /sample 1 · human first error/, 'ENOSPC', 'EACCES'],
        ['k', /sample 0 · rating of step 1/, undefined, 'EACCES|ENOSPC'],
        ['j', /sample 1 · human first error/, 'ENOSPC', 'EACCES'],
      ] as const) {
        await page.keyboard.press(key);
        assert.match(await text(page, '.item-head .where'), where);
        const status = await text(page, '.status');
        if (own) assert.match(status, new RegExp(own));
        else assert.equal(status, '');
        assert.doesNotMatch(status, new RegExp(other), `after ${key}`);
      }
      assert.match(await text(page, '.progress'), /2 not saved/);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  test('u withdraws the last adjudication, then the one before, each on its own item; nothing more after', async () => {
    const view = await openView('light');
    try {
      const { page } = view;
      assert.match(await text(page, '.legend'), /u\s*undo this view's last adjudication/);
      const settleAndSave = async (key: string, settled: string) => {
        await page.keyboard.press(key);
        const request = (await view.appends()).at(-1)!;
        await view.answer({ type: 'audit/saved', runId: 'run-a', requestId: request.requestId });
        await page.waitForFunction((s) => document.querySelector('.progress')?.textContent === s, settled);
      };
      await settleAndSave('3', '1 of 3 settled');
      await settleAndSave('b', '2 of 3 settled');
      assert.match(await text(page, '.item-head .where'), /sample 2 · rating of step 1/);

      for (const [where, event, settled, back] of [
        [
          /sample 1 · human first error/,
          { type: 'firstError', sample: 1, step: null },
          '1 of 3 settled',
          'first error: open again',
        ],
        [
          /sample 0 · rating of step 1/,
          { type: 'stepRating', sample: 0, step: 1, rating: null },
          '0 of 3 settled',
          'step 1: open again',
        ],
      ] as const) {
        await page.keyboard.press('u');
        // Back on the item undone, its withdrawal posted as a new event.
        assert.match(await text(page, '.item-head .where'), where);
        const request = (await view.appends()).at(-1)!;
        assert.deepEqual(
          { ...request.event, at: undefined, schemaVersion: undefined },
          {
            ...event,
            at: undefined,
            schemaVersion: undefined,
          },
        );
        assert.match(await text(page, '.status'), /^undoing problem aime24-07/);
        await view.answer({ type: 'audit/saved', runId: 'run-a', requestId: request.requestId });
        await page.waitForFunction((s) => document.querySelector('.progress')?.textContent === s, settled);
        assert.equal(await text(page, '.item-head .state'), 'open');
        assert.equal(
          await text(page, '.status'),
          `undone problem aime24-07, sample ${event.sample}, ${back}`,
        );
        assert.match(await text(page, 'ol.items li[aria-current]'), /^○/, 'the list shows it open');
      }
      const posted = (await view.appends()).length;
      await page.keyboard.press('u');
      assert.equal((await view.appends()).length, posted, 'nothing left of this view to undo');
      assert.match(await text(page, '.status'), /nothing to undo/);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  test('narrow (a side column): the list goes under the item, nothing overflows sideways', async () => {
    const view = await openView('dark', 420);
    try {
      const { page } = view;
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      await page.screenshot({ path: join(TEST_OUTPUT, 'adjudicate-narrow-dark.png'), fullPage: true });
    } finally {
      await view.close();
    }
  });

  test('a 160–300 px side bar: every word of the keys legend is drawn whole, inside the view', async () => {
    for (const width of [160, 200, 300]) {
      const view = await openView('light', width);
      try {
        const { page } = view;
        // Both kinds of item: a rating (1 / 2 / 3 …) and a first error (e, 0, h / l …).
        for (const kind of ['rating', 'first error']) {
          if (kind === 'first error') {
            await page.keyboard.press('n');
            await page.waitForFunction(() =>
              /first error/.test(document.querySelector('.item-head')?.textContent ?? ''),
            );
          }
          // Every text line of the legend, measured: inside the view and inside the box that shows it
          // (a box narrower than its text clips or spills it).
          const clipped = await page.evaluate(() => {
            const legend = document.querySelector('.legend')!;
            const view = document.documentElement.clientWidth;
            const out: string[] = [];
            const walker = document.createTreeWalker(legend, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              if (!node.textContent?.trim()) continue;
              const range = document.createRange();
              range.selectNodeContents(node);
              const box = node.parentElement!.getBoundingClientRect();
              for (const line of range.getClientRects())
                if (
                  line.left < -0.5 ||
                  line.right > view + 0.5 ||
                  line.right > box.right + 0.5 ||
                  line.width === 0
                )
                  out.push(
                    `"${node.textContent}" at ${Math.round(line.left)}–${Math.round(line.right)}, box to ${Math.round(box.right)}, view ${view}`,
                  );
            }
            for (const element of legend.querySelectorAll('*'))
              if (
                element.scrollWidth > element.clientWidth + 1 &&
                getComputedStyle(element).overflowX !== 'visible'
              )
                out.push(`${element.tagName} clips ${element.scrollWidth - element.clientWidth}px`);
            return out;
          });
          assert.deepEqual(clipped, [], `at ${width}px, ${kind} item`);
          const legendText = await text(page, '.legend');
          assert.match(legendText, kind === 'rating' ? /1 \/ 2 \/ 3/ : /h \/ l/);
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `at ${width}px the page scrolls sideways by ${overflow}px`);
        await page.screenshot({
          path: join(TEST_OUTPUT, `adjudicate-side-bar-${width}.png`),
          fullPage: true,
        });
        assert.deepEqual(view.errors, []);
      } finally {
        await view.close();
      }
    }
  });
});
