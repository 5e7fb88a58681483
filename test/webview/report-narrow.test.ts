/**
 * The dataset report at a 300 px side bar (issue 14's new-user trial), with a judge whose id is as
 * long as real ones: the precision chart's judges are named in view (its own legend is at its right,
 * scrolled out of the box), the compare page's folders likewise, and no method or judge name in a
 * table (report.html, the compare page, the Dataset Report view's problems table) is broken inside
 * a part: only after its own `-` / `:` or at a space.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { runCompare } from '../../src/cli/report.js';
import type { DatasetIndex } from '../../src/core/dataset.js';
import { datasetReport } from '../../src/core/datasetReport.js';
import { pickMethods, problemRows } from '../../src/core/reportProblems.js';
import { writeDatasetReport } from '../../src/jobs/dataset.js';
import type { ReportHostMessage } from '../../src/protocol.js';
import { reportViewHtml } from '../../src/reportViewHtml.js';
import { createNonce } from '../../src/webviewHtml.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { reportIndex } from '../fixtures/reportDataset.js';
import { ROOT } from '../support.js';
import { openFakeWebview } from './fakeWebview.js';

/**
 * A PRM's id written as one word (the model's name without its punctuation, as src/reportHtml.ts
 * matches the paper's PRM): wider than a 300 px page's name column (8em), so that breaking anywhere
 * would cut it, and its methods' names (prm-best-of-n:<id>:product) run over several lines.
 */
const PRM = 'qwen25mathprm72b';

/** The fixture's index with its PRM under the long id. */
function longJudgeIndex(): DatasetIndex {
  const index = reportIndex();
  const rename = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key === 'prm' ? PRM : key, value]));
  return {
    ...index,
    judges: index.judges.map((judge) => (judge.id === 'prm' ? { ...judge, id: PRM } : judge)),
    thresholds: rename(index.thresholds),
    problems: index.problems.map((problem) => ({
      ...problem,
      samples: problem.samples.map((sample) => ({ ...sample, judges: rename(sample.judges) })),
    })),
  };
}

/**
 * In the page: `window.__nameLines(element)` reads the element's text on screen. The text's parts
 * end after each `-` or `:` and at each space; a part whose characters lie on more than one line
 * (the client rects of a Range over it) was broken inside. Its lines: the parts by the line each is
 * on. A string: the test runner's transpiler would wrap a function in helpers the page does not have.
 */
const NAME_LINES = `window.__nameLines = (element) => {
  const chars = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    for (let i = 0; i < node.data.length; i++) chars.push([node, i]);
  const text = chars.map(([node, i]) => node.data[i]).join('');
  const bottoms = (start, end) => {
    const range = document.createRange();
    range.setStart(chars[start][0], chars[start][1]);
    range.setEnd(chars[end - 1][0], chars[end - 1][1] + 1);
    return [...new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.bottom)))];
  };
  const broken = [];
  const lines = new Map();
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const space = i === text.length || /\\s/.test(text[i]);
    const end = space ? i : text[i] === '-' || text[i] === ':' ? i + 1 : -1;
    if (end < 0) continue;
    if (end > start) {
      const part = bottoms(start, end);
      if (part.length > 1) broken.push(text.slice(start, end));
      const line = part[0];
      lines.set(line, [lines.get(line) ?? '', text.slice(start, space ? end + 1 : end)].join(''));
    }
    start = space ? i + 1 : end;
  }
  return { text, lines: [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, line]) => line.trim()), broken };
};`;

interface NameLines {
  text: string;
  /** The text of each line it is shown on, top to bottom. */
  lines: string[];
  /** Its parts that are shown on more than one line. */
  broken: string[];
}

const nameLines = (page: Page, selector: string): Promise<NameLines[]> =>
  page
    .locator(selector)
    .evaluateAll((cells) =>
      cells.map((cell) => (window as unknown as { __nameLines(e: Element): NameLines }).__nameLines(cell)),
    );

let browser: Browser;
let reportDir: string;
let compareDir: string;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  const root = mkdtempSync(join(tmpdir(), 'steplens-report-narrow-'));
  reportDir = join(root, 'aime24-qwq');
  mkdirSync(reportDir);
  await writeDatasetReport(reportDir, longJudgeIndex(), { subsets: 5, seed: 1 });
  const [a, b] = [join(root, 'run-a'), join(root, 'run-b')];
  mkdirSync(a);
  mkdirSync(b);
  writeFileSync(join(a, 'dataset.json'), JSON.stringify(longJudgeIndex()));
  writeFileSync(join(b, 'dataset.json'), JSON.stringify(longJudgeIndex()));
  compareDir = join(root, 'compare');
  await runCompare([a, b], compareDir, { subsets: 5 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function open(path: string, colorScheme: 'light' | 'dark', width: number) {
  const context = await browser.newContext({ offline: true, colorScheme, viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.addInitScript(NAME_LINES);
  await page.goto(`file://${path}`);
  // report.html moves its later sections in after the first paint.
  await page.waitForFunction(() => !document.querySelector('noscript.report-later'));
  return { page, errors, close: () => context.close() };
}

/** Where each of a figure's legend names is, with its key's colour, the plot box not scrolled. */
async function legendInView(page: Page, figure: string) {
  await page.locator(`${figure} .plot-scroll`).evaluate((box) => {
    box.scrollLeft = 0;
    box.scrollIntoView({ block: 'start' });
  });
  return page.locator(`${figure} :is(.legend-list li, g.legend-entry)`).evaluateAll((entries) =>
    entries
      .map((entry) => {
        const rect = entry.getBoundingClientRect();
        const key = entry.querySelector('rect, path')!;
        return {
          name: entry.textContent,
          shown: rect.width > 0 && rect.left >= 0 && rect.right <= window.innerWidth,
          list: entry.tagName === 'LI',
          colour:
            getComputedStyle(key).fill === 'none' ? getComputedStyle(key).stroke : getComputedStyle(key).fill,
        };
      })
      .filter((entry) => entry.shown),
  );
}

describe('the dataset report at a 300 px side bar', () => {
  test('the precision chart’s judges are named in view, beside their bars’ colours, without scrolling its box; a wide page shows the chart’s own legend', async () => {
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
    const judges = Object.keys(report.precision);
    assert.deepEqual(judges, ['self', PRM]);
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await open(join(reportDir, 'report.html'), colorScheme, 300);
      try {
        const figure = 'section.later figure:has(svg.bar-chart)';
        const bars = await page
          .locator(`${figure} rect.bar[data-judge]`)
          .evaluateAll((rects) =>
            Object.fromEntries(
              rects.map((rect) => [rect.getAttribute('data-judge'), getComputedStyle(rect).fill]),
            ),
          );
        const shown = await legendInView(page, figure);
        assert.deepEqual(
          shown.map((entry) => [entry.name, entry.colour]),
          judges.map((judge) => [judge, bars[judge]]),
          `${colorScheme}: each judge named in view in its bars' colour`,
        );
        assert.equal(
          await page.evaluate(() => document.documentElement.scrollWidth),
          300,
          'no sideways page scroll',
        );
        await page
          .locator(figure)
          .screenshot({ path: join(TEST_OUTPUT, `report-precision-300px-${colorScheme}.png`) });
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    }
    const { page, close } = await open(join(reportDir, 'report.html'), 'light', 1200);
    try {
      const shown = await legendInView(page, 'section.later figure:has(svg.bar-chart)');
      assert.deepEqual(
        shown.map((entry) => [entry.name, entry.list]),
        judges.map((judge) => [judge, false]),
        'at 1200 px the chart’s own legend, and no list under it',
      );
    } finally {
      await close();
    }
  });

  test('the compare page names its folders in view, in their lines’ colour and dash', async () => {
    const { page, errors, close } = await open(join(compareDir, 'report.html'), 'light', 300);
    try {
      const lines = await page
        .locator('figure[data-method="majority"] g.series > path.line')
        .evaluateAll((paths) =>
          paths.map((path) => [
            path.getAttribute('data-folder'),
            getComputedStyle(path).stroke,
            path.getAttribute('stroke-dasharray'),
          ]),
        );
      const listed = await page.locator('.legend-list[aria-label="Folders"] li').evaluateAll((items) =>
        items.map((item) => {
          const rect = item.getBoundingClientRect();
          const path = item.querySelector('path')!;
          return [
            rect.width > 0 && rect.left >= 0 && rect.right <= window.innerWidth ? item.textContent : null,
            getComputedStyle(path).stroke,
            path.getAttribute('stroke-dasharray'),
          ];
        }),
      );
      assert.deepEqual(listed, lines);
      assert.deepEqual(
        lines.map(([folder]) => folder),
        ['run-a', 'run-b'],
      );
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('no method or judge name in a table is broken inside a part: only after its - or : (or at a space)', async () => {
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8'));
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await open(join(reportDir, 'report.html'), colorScheme, 300);
      try {
        await page.evaluate(() => {
          for (const details of document.querySelectorAll('details')) details.open = true;
        });
        const accuracy = await nameLines(page, '#table-accuracy tbody td:first-child');
        assert.deepEqual(
          accuracy.slice(0, Object.keys(report.reranking.methods).length).map((cell) => cell.text),
          Object.keys(report.reranking.methods),
          'the names as text, unchanged',
        );
        const judges = [
          ...(await nameLines(page, '#table-calibration tbody td:first-child')),
          ...(await nameLines(page, '#table-agreement tbody td:first-child')),
        ];
        assert.deepEqual(
          judges.map((cell) => cell.text),
          ['self', PRM, `self / ${PRM}`],
        );
        // The legends listed under the charts on a narrow page: names alike.
        const legends = await nameLines(page, '.legend-list li');
        assert.ok(
          legends.length > Object.keys(report.reranking.methods).length,
          `${legends.length} legend entries`,
        );
        for (const cell of [...accuracy, ...judges, ...legends])
          assert.deepEqual(cell.broken, [], `${colorScheme}: "${cell.text}" broken inside a part`);
        // The column is as wide as the longest part: the long name wraps after its ':' as well.
        const long = accuracy.find((cell) => cell.text === `prm-best-of-n:${PRM}:product`)!;
        assert.ok(
          long.lines.length > 1 && long.lines.some((line) => line.startsWith(PRM)),
          `the narrow column wraps the long name between its parts: ${JSON.stringify(long.lines)}`,
        );
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 300);
        await page
          .locator('section.lead figure')
          .screenshot({ path: join(TEST_OUTPUT, `report-legend-300px-${colorScheme}.png`) });
        await page
          .locator('#table-accuracy')
          .screenshot({ path: join(TEST_OUTPUT, `report-names-300px-${colorScheme}.png`) });
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    }
    const { page, close } = await open(join(compareDir, 'report.html'), 'light', 300);
    try {
      const differences = await nameLines(page, '#table-differences tbody td:first-child');
      const weighted = differences.find((cell) => cell.text === `prm-weighted:${PRM}`)!;
      assert.deepEqual(weighted.lines, ['prm-weighted:', PRM]);
      for (const cell of differences)
        assert.deepEqual(cell.broken, [], `"${cell.text}" broken inside a part`);
    } finally {
      await close();
    }
  });

  test('the Dataset Report view: the problems table’s method headings break only between parts too', async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'report.js')), 'dist/report.js is missing: run the build first');
    const index = longJudgeIndex();
    const pagePath = join(mkdtempSync(join(tmpdir(), 'steplens-report-view-narrow-')), 'view.html');
    writeFileSync(
      pagePath,
      reportViewHtml({
        nonce: createNonce(),
        inlineScript: readFileSync(join(ROOT, 'dist', 'report.js'), 'utf8'),
        name: 'aime24-test',
        report: datasetReport(index, { subsets: 5, seed: 1 }),
      }),
    );
    const view = await openFakeWebview(browser, pagePath, {
      width: 300,
      height: 900,
      initScripts: [NAME_LINES],
    });
    try {
      const message: ReportHostMessage = {
        type: 'report/problems',
        complete: true,
        methods: Object.keys(pickMethods(index)),
        rows: problemRows(index),
        read: new Date().toISOString(),
      };
      await view.send(message);
      await view.page.waitForSelector('table.problems tbody tr[data-id]');
      const headings = await nameLines(view.page, 'table.problems thead button.sort');
      assert.deepEqual(
        headings.map((heading) => heading.text.trim()),
        ['Problem', 'Pass rate', 'Disagreements', ...message.methods],
      );
      for (const heading of headings)
        assert.deepEqual(heading.broken, [], `"${heading.text}" broken inside a part`);
      const long = headings.find((heading) => heading.text === `prm-best-of-n:${PRM}`)!;
      assert.ok(
        long.lines.length > 1 && long.lines.at(-1) === PRM,
        `the heading wraps between its parts: ${JSON.stringify(long.lines)}`,
      );
      await view.page.screenshot({ path: join(TEST_OUTPUT, 'report-view-names-300px-light.png') });
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });
});
