/**
 * The Dataset Report view in Chromium: the page the host builds (src/reportViewHtml.ts, its CSP)
 * with the built dist/report.js and a fake VS Code host. The problems table sorts by each column,
 * filters, works from the keyboard, and a click (or Enter) posts the open-run message with the
 * problem's run path, first disagreeing sample and step; ids are shown as text.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DatasetIndex } from '../../src/core/dataset.js';
import { datasetReport } from '../../src/core/datasetReport.js';
import { pickMethods, problemRows } from '../../src/core/reportProblems.js';
import type { ReportHostMessage, ReportWebviewMessage } from '../../src/protocol.js';
import { reportViewHtml } from '../../src/reportViewHtml.js';
import { createNonce } from '../../src/webviewHtml.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { datasetProblem, reportIndex } from '../fixtures/reportDataset.js';
import { ROOT } from '../support.js';
import { contrast } from './contrast.js';
import { openFakeWebview } from './fakeWebview.js';

const HOSTILE = 'p9 <img src=x onerror="window.__owned=1"></script><b>';

let browser: Browser;
let index: DatasetIndex;
let pagePath: string;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  assert.ok(
    existsSync(join(ROOT, 'dist', 'report.js')),
    'dist/report.js is missing: run npm run build first',
  );
  index = reportIndex();
  index.complete = false;
  index.problems.push(
    datasetProblem(HOSTILE, [
      [true, -1, 0.9, -1, 0.9],
      [false, 2, 0.3, 2, 0.3],
      [false, -1, 0.8, 3, 0.2],
    ]),
  );
  const html = reportViewHtml({
    nonce: createNonce(),
    inlineScript: readFileSync(join(ROOT, 'dist', 'report.js'), 'utf8'),
    name: 'aime24-test',
    report: datasetReport(index, { subsets: 5, seed: 1 }),
  });
  pagePath = join(mkdtempSync(join(tmpdir(), 'steplens-report-view-')), 'report-view.html');
  writeFileSync(pagePath, html);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

interface ReportPage {
  page: Page;
  errors: string[];
  posted(): Promise<ReportWebviewMessage[]>;
  close(): Promise<void>;
}

async function openView(colorScheme: 'light' | 'dark' = 'light', width = 1100): Promise<ReportPage> {
  // The fake host keeps the webview state across a reload, as VS Code does when it sets a page afresh.
  const view = await openFakeWebview<ReportWebviewMessage>(browser, pagePath, {
    width,
    height: 900,
    colorScheme,
    state: 'session',
    waitReady: false,
  });
  await showProblems(view.page);
  return view;
}

/** The page says `ready`; the host answers with the problems, as the view does. */
async function showProblems(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
  );
  const message: ReportHostMessage = {
    type: 'report/problems',
    complete: index.complete,
    methods: Object.keys(pickMethods(index)),
    rows: problemRows(index),
    read: new Date().toISOString(),
  };
  await page.evaluate((m) => window.postMessage(m, '*'), message);
  await page.waitForSelector('table.problems tbody tr[data-id]');
}

const shownIds = (page: Page) =>
  page
    .locator('table.problems tbody tr')
    .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));

const openRuns = async (view: ReportPage) => (await view.posted()).filter((m) => m.type === 'report/openRun');

describe('the Dataset Report view', () => {
  test('the plots and the problems table: every problem, its pass rate, disagreements and picks; ids as text', async () => {
    const view = await openView();
    try {
      const { page } = view;
      assert.equal(await page.locator('svg.line-chart').count(), 1, 'the accuracy plot is drawn');
      const rows = problemRows(index);
      assert.deepEqual(
        await shownIds(page),
        rows.map((row) => row.id),
      );
      assert.deepEqual(
        await page
          .locator('table.problems thead th')
          .evaluateAll((cells) => cells.map((cell) => cell.textContent?.trim())),
        ['Problem', 'Pass rate', 'Disagreements', 'majority', 'self-prm', 'prm-best-of-n:prm'],
      );
      const hostile = page.locator('table.problems tbody tr').last();
      assert.equal(await hostile.locator('button.open').textContent(), HOSTILE);
      assert.equal(await hostile.locator('td.pass').textContent(), '1 of 3 (33 %)');
      assert.equal(await hostile.locator('td.disagreements').textContent(), '1');
      assert.equal(await page.locator('table.problems img').count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);
      const status = page.locator('#problems-status');
      assert.match((await status.textContent()) ?? '', /^Partial: 8 problem\(s\) finished so far/);
      assert.deepEqual(view.errors, []);
      await page.screenshot({ path: join(TEST_OUTPUT, 'report-view-light.png'), fullPage: false });
    } finally {
      await view.close();
    }
  });

  test('in a 300 px side panel: tick labels at 10 px or more, the problem ids stay in view when the table scrolls', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const view = await openView(colorScheme, 300);
      try {
        const { page } = view;
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 300, 'no page scroll');
        const smallest = await page
          .locator('svg.plot')
          .evaluateAll((svgs) =>
            Math.min(
              ...svgs.flatMap((svg) =>
                [...svg.querySelectorAll('text.tick')].map(
                  (tick) =>
                    Number.parseFloat(getComputedStyle(tick).fontSize) *
                    (svg as SVGSVGElement).getScreenCTM()!.a,
                ),
              ),
            ),
          );
        assert.ok(smallest >= 10, `tick labels ${smallest.toFixed(1)} px high`);
        const scroller = page.locator('#problems-app .table-scroll');
        await scroller.evaluate((box) => {
          box.scrollIntoView({ block: 'start' });
          box.scrollLeft = box.scrollWidth;
        });
        assert.ok(await scroller.evaluate((box) => box.scrollLeft > 100), 'the table scrolled sideways');
        const ids = await page.locator('table.problems tbody button.open').evaluateAll((buttons) =>
          buttons.slice(0, 4).map((button) => {
            const rect = button.getBoundingClientRect();
            const seen = document.elementFromPoint(rect.left + 2, rect.top + rect.height / 2);
            return { id: button.textContent, onTop: seen === button };
          }),
        );
        assert.equal(ids.length, 4);
        for (const id of ids) assert.deepEqual(id, { id: id.id, onTop: true });
        // A click where the id is shown opens that problem, the table scrolled or not.
        await page.locator('table.problems tbody button.open').first().click();
        assert.equal((await openRuns(view)).length, 1);
        await page.screenshot({ path: join(TEST_OUTPUT, `report-view-300px-${colorScheme}.png`) });
        assert.deepEqual(view.errors, []);
      } finally {
        await view.close();
      }
    }
  });

  test('outside VS Code (no theme variables) the filter field follows the page: light on light, dark on dark, its text and placeholder (and the problems’ links) at ≥ 4.5:1', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const view = await openView(colorScheme);
      try {
        const { page } = view;
        const colours = await page.locator('#problems-filter input').evaluate((input) => {
          const style = getComputedStyle(input);
          return {
            text: style.color,
            placeholder: getComputedStyle(input, '::placeholder').color,
            field: style.backgroundColor,
            page: getComputedStyle(document.body).backgroundColor,
            link: getComputedStyle(document.querySelector('table.problems button.open')!).color,
          };
        });
        const say = `${colorScheme}: ${JSON.stringify(colours)}`;
        assert.ok(contrast(colours.field, colours.page) < 1.5, `the field is in the page's scheme; ${say}`);
        assert.ok(contrast(colours.text, colours.field) >= 4.5, `text ${say}`);
        assert.ok(contrast(colours.placeholder, colours.field) >= 4.5, `placeholder ${say}`);
        assert.ok(contrast(colours.link, colours.page) >= 4.5, `the problems' links ${say}`);
        await page.locator('#problems-filter input').fill('hard');
        await page
          .locator('#problems-app')
          .screenshot({ path: join(TEST_OUTPUT, `report-view-filter-${colorScheme}.png`) });
      } finally {
        await view.close();
      }
    }
  });

  test('a click on a column sorts by it, a second click reverses; nulls stay last', async () => {
    const view = await openView();
    try {
      const { page } = view;
      const rows = problemRows(index);
      const header = (label: string) => page.locator('table.problems thead button.sort', { hasText: label });
      await header('Pass rate').click();
      const ascending = [...rows]
        .filter((row) => row.passRate !== null)
        .sort((a, b) => a.passRate! - b.passRate! || a.id.localeCompare(b.id, 'en', { numeric: true }))
        .map((row) => row.id);
      assert.deepEqual(await shownIds(page), [...ascending, 'p7-no-reference']);
      assert.equal(await page.locator('th[aria-sort="ascending"]').textContent(), 'Pass rate ▲');
      await header('Pass rate').click();
      const shown = await shownIds(page);
      assert.equal(shown.at(-1), 'p7-no-reference');
      assert.equal(shown[0], 'p1-easy');
      assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
      await header('Disagreements').click();
      await header('Disagreements').click();
      const counts = await page
        .locator('td.disagreements')
        .evaluateAll((cells) => cells.map((cell) => Number(cell.textContent)));
      assert.deepEqual(
        counts,
        [...counts].sort((a, b) => b - a),
      );
      assert.ok(counts[0]! > counts.at(-1)!);
      await header('prm-best-of-n:prm').click();
      const picks = await page
        .locator('td.pick[data-method="prm-best-of-n:prm"] span')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('aria-label')));
      const order = { wrong: 0, right: 1 } as Record<string, number>;
      const ranked = picks.map((label) => order[label!] ?? 2);
      assert.deepEqual(
        ranked,
        [...ranked].sort((a, b) => a - b),
        'wrong, then right, then no pick',
      );
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  test('the filter keeps the problems whose id holds the text, and says how many', async () => {
    const view = await openView();
    try {
      const { page } = view;
      await page.locator('#problems-filter input').fill('HARD');
      assert.deepEqual(await shownIds(page), ['p4-hard', 'p5-hard']);
      assert.equal(await page.locator('.problems-count').textContent(), '2 of 8 problem(s) match "HARD"');
      await page.locator('#problems-filter input').fill('nothing like it');
      assert.equal(
        await page.locator('table.problems tbody').textContent(),
        'No problem matches the filter.',
      );
      await page.locator('#problems-filter input').fill('');
      assert.equal((await shownIds(page)).length, 8);
    } finally {
      await view.close();
    }
  });

  test('keys typed into the filter stay text: "/" and the others open nothing', async () => {
    const view = await openView();
    try {
      const { page } = view;
      await page.locator('#problems-filter input').focus();
      await page.keyboard.type('123eunjk/');
      assert.equal(
        await page
          .locator('#problems-filter')
          .evaluate((field) => (field as HTMLElement & { value: string }).value),
        '123eunjk/',
      );
      assert.deepEqual(await openRuns(view), []);
      assert.equal(await page.textContent('.problems-count'), '0 of 8 problem(s) match "123eunjk/"');
    } finally {
      await view.close();
    }
  });

  test('keyboard: "/" to the filter, Tab to a column and Enter sorts, arrows move between problems, Enter opens one', async () => {
    const view = await openView();
    try {
      const { page } = view;
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('/');
      await page.keyboard.type('p');
      assert.equal((await shownIds(page)).length, 8, 'every id holds a p');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Problem');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('th[aria-sort="descending"]').textContent(), 'Problem ▼');
      assert.deepEqual((await shownIds(page)).slice(0, 2), [
        'p9 <img src=x onerror="window.__owned=1"></script><b>',
        'p7-no-reference',
      ]);
      // The headings are one Tab stop (← → between them), the problems the next: Tab goes from the
      // focused heading straight to the first problem, not through every heading.
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Pass rate');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'open');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'p6');
      await page.keyboard.press('End');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'p1-easy');
      await page.keyboard.press('ArrowUp');
      // Back to the headings and into the problems again: Tab returns to the problem left.
      await page.keyboard.press('Shift+Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Problem ▼');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'p2');
      await page.keyboard.press('Enter');
      const p2 = problemRows(index).find((row) => row.id === 'p2')!;
      assert.ok(p2.firstDisagreement);
      assert.deepEqual(await openRuns(view), [
        {
          type: 'report/openRun',
          run: 'runs/p2.json',
          sample: p2.firstDisagreement.sample,
          step: p2.firstDisagreement.step,
          prm: 'prm',
        },
      ]);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  test('a click on a problem posts the open-run message: its run, first disagreeing sample and step', async () => {
    const view = await openView();
    try {
      const { page } = view;
      await page.locator(`table.problems tbody tr[data-id="p4-hard"] td.pass`).click();
      await page.locator('table.problems tbody tr').last().locator('button.open').click();
      // The hostile problem: sample 0 agrees, 1 agrees (both step 2), 2 disagrees (−1 / 3) at step 3.
      const p4 = problemRows(index).find((row) => row.id === 'p4-hard')!;
      assert.deepEqual(await openRuns(view), [
        {
          type: 'report/openRun',
          run: 'runs/p4-hard.json',
          sample: p4.firstDisagreement!.sample,
          step: p4.firstDisagreement!.step,
          prm: 'prm',
        },
        { type: 'report/openRun', run: `runs/${HOSTILE}.json`, sample: 2, step: 3, prm: 'prm' },
      ]);
      // A problem where the judges always agree opens without a focus: the panel's own first view.
      await page.locator('table.problems tbody tr[data-id="p7-no-reference"] button.open').click();
      assert.deepEqual((await openRuns(view)).at(-1), {
        type: 'report/openRun',
        run: 'runs/p7-no-reference.json',
      });
    } finally {
      await view.close();
    }
  });

  test('sort and filter survive the page being set afresh (a live refresh)', async () => {
    const view = await openView('dark');
    try {
      const { page } = view;
      await page.locator('table.problems thead button.sort', { hasText: 'Disagreements' }).click();
      await page.locator('#problems-filter input').fill('hard');
      const before = await shownIds(page);
      assert.deepEqual([...before].sort(), ['p4-hard', 'p5-hard']);
      await page.reload();
      await showProblems(page);
      assert.deepEqual(await shownIds(page), before);
      assert.equal(await page.locator('th[aria-sort="ascending"]').textContent(), 'Disagreements ▲');
      assert.equal(
        await page
          .locator('#problems-filter')
          .evaluate((field) => (field as HTMLElement & { value: string }).value),
        'hard',
      );
      await page.locator('#problems-filter input').fill('');
      await page.screenshot({ path: join(TEST_OUTPUT, 'report-view-dark.png') });
    } finally {
      await view.close();
    }
  });

  test('the page keeps the folder the host names in its state (a window reload reopens it), through sorting', async () => {
    const view = await openView('light');
    try {
      const { page } = view;
      await showProblems(page);
      const folder = '/work/space/.steplens/datasets/aime';
      await page.evaluate((m) => window.postMessage(m, '*'), { type: 'report/folder', folder });
      const state = () => page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? 'null'));
      await page.waitForFunction(() => sessionStorage.getItem('state')?.includes('aime'));
      await page.locator('table.problems thead button.sort', { hasText: 'Disagreements' }).click();
      const kept = await state();
      assert.equal(kept.folder, folder);
      assert.equal(kept.sort, 'disagreements');
    } finally {
      await view.close();
    }
  });
});
