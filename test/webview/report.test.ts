/**
 * report.html in Chromium, from file:// and offline: every plot drawn (axes labelled, one line per
 * method with its error bars, the paper's points for a dataset named like one of its tables), the
 * tables' rows, untrusted ids shown as text, no console errors, no requests; photographed in light
 * and dark. Then the compare page of two folders.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { runCompare } from '../../src/cli/report.js';
import type { DatasetIndex } from '../../src/core/dataset.js';
import type { DatasetReport } from '../../src/core/datasetReport.js';
import { writeDatasetReport } from '../../src/jobs/dataset.js';
import { CHROMIUM, launchChromium, TEST_OUTPUT } from '../browser.js';
import { datasetProblem, reportIndex } from '../fixtures/reportDataset.js';

/**
 * The legend's name of each method: in the fixture, PRM best-of-n by last and by product pick as by
 * min, and the oracle's curve is self-prm-best's, so the legend names them with it.
 */
const COINCIDING: Record<string, string> = {
  'prm-best-of-n:prm:last': 'prm-best-of-n:prm',
  'prm-best-of-n:prm:product': 'prm-best-of-n:prm',
  oracle: 'self-prm-best',
};
const legendName = (method: string) =>
  COINCIDING[method] === undefined ? method : `${method} (= ${COINCIDING[method]})`;

const HOSTILE = 'p9 <img src=x onerror="window.__owned=1"></script><b>';

let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

function indexWithHostile(): DatasetIndex {
  const index = reportIndex();
  // A hard problem whose id is markup: 1 of 8 right, Self-PRM calls four correct.
  index.problems.push(
    datasetProblem(HOSTILE, [
      [true, -1, 0.9, -1, 0.9],
      [false, -1, 0.8, 2, 0.3],
      [false, -1, 0.75, -1, 0.7],
      [false, -1, 0.6, 1, 0.1],
      [false, 1, 0.3, 1, 0.2],
      [false, 2, 0.2, -1, 0.6],
      [false, 0, 0.1, 0, 0.05],
      [false, 3, 0.4, 3, 0.4],
    ]),
  );
  return index;
}

async function open(
  path: string,
  colorScheme: 'light' | 'dark',
  options: { width?: number; javaScriptEnabled?: boolean; beforeLoad?: (page: Page) => Promise<void> } = {},
): Promise<{ page: Page; errors: string[]; requests: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({
    offline: true,
    colorScheme,
    viewport: { width: options.width ?? 1200, height: 900 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('request', (request) => requests.push(request.url()));
  await options.beforeLoad?.(page);
  await page.goto(`file://${path}`);
  // report.html moves its accuracy table and the sections below in after the first paint.
  if (options.javaScriptEnabled ?? true)
    await page.waitForFunction(() => !document.querySelector('noscript.report-later'));
  return { page, errors, requests, close: () => context.close() };
}

/**
 * The whole page in the viewport, for a full-page screenshot: sections off screen are not rendered
 * (content-visibility) and hold a placeholder height until they are, so twice.
 */
async function fitViewport(page: Page, width: number): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await page.setViewportSize({
      width,
      height: await page.evaluate(() => document.documentElement.scrollHeight),
    });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  }
}

/**
 * The colours of screen pixels at points of the page (CSS px from the viewport's top left), read
 * back from a screenshot decoded in a blank page of the same browser.
 */
async function pixels(page: Page, points: { x: number; y: number }[]): Promise<[number, number, number][]> {
  const png = (await page.screenshot()).toString('base64');
  const blank = await page.context().newPage();
  try {
    return await blank.evaluate(
      async ({ png, points }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${png}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        return points.map(({ x, y }) => {
          const [r, g, b] = context.getImageData(Math.round(x), Math.round(y), 1, 1).data;
          return [r!, g!, b!] as [number, number, number];
        });
      },
      { png, points },
    );
  } finally {
    await blank.close();
  }
}

const foreign = (requests: string[]) =>
  requests.filter((url) => url !== requests[0] && !url.startsWith('data:'));

describe('report.html', () => {
  let dir: string;
  let report: DatasetReport;

  before(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'steplens-report-')), 'aime24-qwq');
    mkdirSync(dir);
    const paths = await writeDatasetReport(dir, indexWithHostile(), { subsets: 5, seed: 1 });
    assert.deepEqual(
      paths.map((path) => path.slice(dir.length + 1)),
      ['report.json', 'report.md', 'report.html'],
    );
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  });

  test('the accuracy plot: axes labelled, one line per method with error bars, a legend, the paper’s points', async () => {
    const { page, errors, requests, close } = await open(join(dir, 'report.html'), 'light');
    try {
      const methods = Object.keys(report.reranking.methods);
      const chart = page.locator('svg.line-chart');
      assert.equal(await chart.count(), 1);
      assert.equal(await chart.locator('.x-label').textContent(), 'k (samples per problem, log₂ scale)');
      assert.equal(await chart.locator('.y-label').textContent(), 'accuracy (%)');
      const kTicks = await chart
        .locator('text.tick[text-anchor="middle"]')
        .evaluateAll((ticks) => ticks.map((tick) => tick.textContent));
      assert.deepEqual(kTicks, ['1', '2', '4', '8']);
      // One drawn line per method, each a path with data-method and a real shape.
      const lines = await chart.locator('g.series > path.line').evaluateAll((paths) =>
        paths.map((path) => ({
          method: path.getAttribute('data-method'),
          points: (path.getAttribute('d') ?? '').split(/[ML]/).filter((part) => part.trim()).length,
          width: (path as SVGPathElement).getBBox().width,
        })),
      );
      assert.deepEqual(
        lines.map((line) => line.method),
        methods,
      );
      for (const line of lines) {
        assert.equal(line.points, report.reranking.k.length, `${line.method}: a point per k`);
        assert.ok(line.width > 100, `${line.method} spans the x axis`);
      }
      // Error bars wherever the report has a standard error, and only there: in the chart's detail
      // layer, laid exactly over the chart (same box), with a dot per point.
      const detail = page.locator('.plot-stack svg.line-chart-detail');
      assert.equal(await detail.count(), 1);
      for (const method of methods) {
        const expected = report.reranking.methods[method]!.stderr.filter((se) => se > 0).length;
        assert.equal(
          await detail.locator(`path.errorbar[data-method="${method}"]`).count(),
          expected,
          `${method}: error bars`,
        );
        assert.equal(
          await detail.locator(`g.series-detail[data-method="${method}"] circle.dot`).count(),
          report.reranking.k.length,
        );
      }
      assert.ok((await detail.locator('path.errorbar').count()) > 0, 'R = 5 subsets leave error bars');
      const [chartBox, detailBox] = await Promise.all([chart.boundingBox(), detail.boundingBox()]);
      assert.deepEqual(detailBox, chartBox, 'the details lie exactly over the chart');
      // Legend: every method, then the paper (the folder is named aime24-…, Self-PRM is QwQ-32B).
      assert.deepEqual(
        await chart
          .locator('.legend-entry text')
          .evaluateAll((texts) => texts.map((text) => text.textContent)),
        [...methods.map(legendName), 'paper (QwQ-32B)'],
      );
      assert.equal(
        await page.locator('section.lead .legend-list').isVisible(),
        false,
        'the chart shows its own legend',
      );
      // k ≤ 8: pass@k at 1 and 8, majority, BoN w/ PRM-72B and BoN w/ Self-PRM at 8.
      const references = chart.locator('path.reference[data-reference="paper (QwQ-32B)"]');
      assert.equal(await references.count(), 5);
      assert.deepEqual(
        await chart
          .locator('path.reference[data-method]')
          .evaluateAll((paths) => paths.map((path) => path.getAttribute('data-method')).sort()),
        ['majority', 'pass@k', 'pass@k', 'self-prm'],
      );
      // The table: a row per method, then the paper's rows; a column per k.
      const rows = await page
        .locator('#table-accuracy tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(
        rows.slice(0, methods.length).map((row) => row[0]),
        methods,
      );
      assert.equal(rows.length, methods.length + 4);
      assert.deepEqual(rows.at(-4), ['paper (QwQ-32B): pass@k', '73.3', '', '', '90.0']);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign(requests), []);
    } finally {
      await close();
    }
  });

  test('precision by difficulty, reliability diagrams and the tables', async () => {
    const { page, errors, requests, close } = await open(join(dir, 'report.html'), 'light');
    try {
      const bars = page.locator('svg.bar-chart');
      assert.equal(await bars.count(), 1);
      assert.equal(await bars.locator('.y-label').textContent(), 'precision (%)');
      assert.match((await bars.locator('.x-label').textContent()) ?? '', /pass@1/);
      for (const judge of ['self', 'prm']) {
        const drawn = await bars.locator(`rect.bar[data-judge="${judge}"][data-category]`).count();
        const expected = report.precision[judge]!.buckets.filter(
          (bucket) => bucket.precision !== null,
        ).length;
        assert.equal(drawn, expected, `${judge}: a bar per bucket with a precision`);
        assert.ok(drawn > 0);
      }
      // The judges in the panel's colours (its Modern-theme defaults): Self-PRM purple, the PRM blue.
      const fills = await bars.evaluate((svg) =>
        Object.fromEntries(
          ['self', 'prm'].map((judge) => [
            judge,
            getComputedStyle(svg.querySelector(`rect.bar[data-judge="${judge}"]`)!).fill,
          ]),
        ),
      );
      const near = (fill: string, hex: string) => {
        const rgb = (fill.match(/\d+/g) ?? []).map(Number);
        const want = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
        return rgb.length >= 3 && want.every((value, i) => Math.abs(value - rgb[i]!) <= 0x20);
      };
      assert.ok(near(fills.self!, '#8250df'), `self's bars ${fills.self} in the panel's purple`);
      assert.ok(near(fills.prm!, '#0a7ea4'), `the PRM's bars ${fills.prm} in the panel's blue`);
      const diagrams = page.locator('svg.reliability');
      assert.equal(await diagrams.count(), 2);
      for (const judge of ['self', 'prm']) {
        const diagram = page.locator(`figure[data-judge="${judge}"] svg.reliability`);
        assert.equal(await diagram.locator('path.diagonal').count(), 1);
        assert.equal(
          await diagram.locator('rect.bin').count(),
          report.calibration[judge]!.bins.filter((bin) => bin.count > 0).length,
        );
        assert.equal(await diagram.locator('.x-label').textContent(), 'solution score (bin)');
        assert.equal(await diagram.locator('.y-label').textContent(), 'right answers (%)');
      }
      // Hard problems per judge, the markup id shown as text and nothing of it run or drawn.
      for (const judge of ['self', 'prm']) {
        const ids = await page
          .locator(`table.precision[data-judge="${judge}"] tbody tr td:first-child`)
          .evaluateAll((tds) => tds.map((td) => td.textContent));
        assert.deepEqual(
          ids,
          report.precision[judge]!.problems.map((entry) => entry.problemId),
        );
      }
      assert.ok(report.precision.self!.problems.some((entry) => entry.problemId === HOSTILE));
      assert.equal(await page.locator('img, b').count(), 0, 'the id is text, not markup');
      assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);
      assert.deepEqual(
        await page
          .locator('#table-calibration tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-judge'))),
        ['self', 'prm'],
      );
      assert.equal(await page.locator('#table-agreement tbody tr').count(), 1);
      // The embedded report reads back whole, the markup id included.
      const embedded = await page.evaluate(() => document.getElementById('steplens-data')?.textContent ?? '');
      assert.deepEqual(JSON.parse(embedded).report, report);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign(requests), []);
    } finally {
      await close();
    }
  });

  test('the first paint is the title, summary and accuracy plot; its table and the sections below come in after it, once each', async () => {
    const { page, errors, requests, close } = await open(join(dir, 'report.html'), 'light', {
      beforeLoad: async (page) => {
        await page.addInitScript(() => {
          // When the rest of the report leaves its <noscript>s for the page.
          const w = window as unknown as { __restIn?: number };
          let seen = false;
          new MutationObserver((_, observer) => {
            const rest = document.querySelector('noscript.report-later');
            if (rest) seen = true;
            else if (seen) {
              w.__restIn = performance.now();
              observer.disconnect();
            }
          }).observe(document, { childList: true, subtree: true });
        });
      },
    });
    try {
      const times = await page.evaluate(
        () =>
          new Promise<{ content: number | null; restIn: number | null }>((resolve) => {
            new PerformanceObserver((list) => {
              const entry = list
                .getEntries()
                .find((e) => (e as PerformanceEntry & { identifier: string }).identifier === 'first-content');
              resolve({
                content: entry ? (entry as PerformanceEntry & { renderTime: number }).renderTime : null,
                restIn: (window as unknown as { __restIn?: number }).__restIn ?? null,
              });
            }).observe({ type: 'element', buffered: true });
          }),
      );
      assert.ok(times.content !== null && times.restIn !== null, JSON.stringify(times));
      assert.ok(
        times.content < times.restIn,
        `the accuracy plot was on screen before the rest was parsed into the page: ${JSON.stringify(times)}`,
      );
      assert.deepEqual(await page.locator('main h2').evaluateAll((h2s) => h2s.map((h2) => h2.id)), [
        'accuracy',
        'precision',
        'calibration',
        'agreement',
      ]);
      assert.equal(await page.locator('noscript').count(), 0);
      assert.equal(
        await page.locator('section.lead #table-accuracy').count(),
        1,
        'the table back in its section',
      );
      assert.equal(await page.locator('main > section.later').count(), 4);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign(requests), []);
    } finally {
      await close();
    }
  });

  test('the accuracy caption links to the rules that say what each method picks: in sight, a click unfolds them', async () => {
    const { page, errors, close } = await open(join(dir, 'report.html'), 'light');
    try {
      await page.waitForSelector('#rules', { state: 'attached' });
      await page.locator('a[href="#rules"]').click();
      await page.waitForFunction(() => {
        const rect = document.querySelector('#rules summary')!.getBoundingClientRect();
        return rect.height > 0 && rect.top >= -1 && rect.bottom <= window.innerHeight;
      });
      await page.locator('#rules summary').click();
      const rules = page.locator('#rules ul');
      assert.ok(await rules.isVisible());
      assert.match(
        (await rules.textContent()) ?? '',
        /self-prm-best: the sample with the highest self solution score/,
      );
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('without scripting the whole report is there: the <noscript> is the page', async () => {
    const { page, close } = await open(join(dir, 'report.html'), 'light', { javaScriptEnabled: false });
    try {
      assert.deepEqual(await page.locator('main h2').evaluateAll((h2s) => h2s.map((h2) => h2.id)), [
        'accuracy',
        'precision',
        'calibration',
        'agreement',
      ]);
      assert.ok(await page.locator('#calibration').isVisible());
      assert.equal(await page.locator('svg.reliability').count(), 2);
      const ids = await page
        .locator('table.precision[data-judge="self"] tbody tr td:first-child')
        .evaluateAll((tds) => tds.map((td) => td.textContent));
      assert.deepEqual(
        ids,
        report.precision.self!.problems.map((entry) => entry.problemId),
      );
      assert.equal(await page.locator('img, b').count(), 0, 'the id is text, not markup');
    } finally {
      await close();
    }
  });

  test('300 px wide: plots stay readable and scroll sideways in their own box; a table keeps its first column in view', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await open(join(dir, 'report.html'), colorScheme, { width: 300 });
      try {
        const width = await page.evaluate(
          () => document.querySelector('main')!.getBoundingClientRect().width,
        );
        assert.ok(width < 300);
        assert.equal(
          await page.evaluate(() => document.documentElement.scrollWidth),
          300,
          'no sideways page scroll',
        );
        // Every plot (the chart's detail layer included): its smallest text, the tick labels, as drawn
        // on screen (font size × the SVG's scale), and the box it scrolls in.
        const plots = await page.locator('svg.plot').evaluateAll((svgs) =>
          svgs.map((svg) => {
            const scale = (svg as SVGSVGElement).getScreenCTM()!.a;
            const ticks = [...svg.querySelectorAll('text.tick')].map(
              (tick) => Number.parseFloat(getComputedStyle(tick).fontSize) * scale,
            );
            const box = svg.closest('.plot-scroll');
            return {
              name: svg.getAttribute('aria-label') ?? svg.getAttribute('class'),
              ticks: ticks.length === 0 ? null : Math.min(...ticks),
              box: box && { client: box.clientWidth, scroll: box.scrollWidth },
            };
          }),
        );
        assert.ok(plots.length >= 5, `${plots.length} plots`);
        for (const plot of plots) {
          if (plot.ticks !== null)
            assert.ok(plot.ticks >= 10, `${plot.name}: tick labels ${plot.ticks.toFixed(1)} px high`);
          assert.ok(plot.box, `${plot.name} sits in a box of its own`);
          assert.ok(plot.box.client <= width, `${plot.name}: its box fits the page`);
        }
        const [chartBox, detailBox] = await Promise.all([
          page.locator('svg.line-chart').boundingBox(),
          page.locator('svg.line-chart-detail').boundingBox(),
        ]);
        assert.deepEqual(detailBox, chartBox, 'the error bars lie exactly over the chart');
        // Its legend, at its right, is scrolled out of view: listed under the chart as well, each
        // method's name in view beside its line's colour and dash.
        const legend = await page.locator('section.lead .legend-list li').evaluateAll((items) =>
          items.map((item) => {
            const rect = item.getBoundingClientRect();
            const line = item.querySelector('path');
            return {
              label: item.textContent,
              inView: rect.left >= 0 && rect.right <= window.innerWidth && rect.width > 0,
              stroke: line ? getComputedStyle(line).stroke : null,
            };
          }),
        );
        assert.deepEqual(
          legend.map((entry) => [entry.label, entry.inView]),
          [...Object.keys(report.reranking.methods).map(legendName), 'paper (QwQ-32B)'].map((label) => [
            label,
            true,
          ]),
        );
        const chartStroke = await page
          .locator('svg.line-chart g.series > path.line')
          .first()
          .evaluate((path) => getComputedStyle(path).stroke);
        assert.equal(legend[0]!.stroke, chartStroke, 'the legend draws the line in its colour');
        // The cue that there is more: a shadow inside the edge the chart goes on beyond, none at an
        // edge it ends at (read with the chart hidden: the shadow is its box's background).
        const plotBox = page.locator('section.lead .plot-scroll');
        await plotBox.evaluate((box) => {
          box.scrollIntoView({ block: 'center' });
          box.querySelector('.plot-stack')!.setAttribute('style', 'visibility: hidden');
        });
        const edges = async () => {
          const rect = (await plotBox.boundingBox())!;
          const y = rect.y + rect.height / 2;
          const [left, right, bg] = await pixels(page, [
            { x: rect.x + 1, y },
            { x: rect.x + rect.width - 2, y },
            { x: 3, y },
          ]);
          const shade = (pixel: [number, number, number]) =>
            Math.max(...pixel.map((channel, i) => Math.abs(channel - bg![i]!)));
          return { left: shade(left!), right: shade(right!) };
        };
        const atStart = await edges();
        assert.ok(
          atStart.right >= 20 && atStart.left === 0,
          `a shadow at the right edge only: ${JSON.stringify(atStart)}`,
        );
        await plotBox.evaluate((box) => {
          box.scrollLeft = box.scrollWidth;
        });
        const atEnd = await edges();
        assert.ok(
          atEnd.left >= 20 && atEnd.right === 0,
          `scrolled to the end, at the left edge only: ${JSON.stringify(atEnd)}`,
        );
        await plotBox.evaluate((box) => {
          box.scrollLeft = 0;
          box.querySelector('.plot-stack')!.removeAttribute('style');
        });
        // The accuracy chart (the widest, with its legend) is wider than any phone: it scrolls.
        const accuracy = plots.find((plot) => plot.name === 'Accuracy against k')!;
        assert.ok(
          accuracy.box!.scroll > accuracy.box!.client,
          `the accuracy chart scrolls sideways in its box: ${JSON.stringify(accuracy.box)}`,
        );
        // The accuracy table scrolled to its far end: each row's name is still there to read.
        const scroller = page.locator('section.lead .table-scroll:has(#table-accuracy)');
        const size = await scroller.evaluate((box) => ({ client: box.clientWidth, scroll: box.scrollWidth }));
        assert.ok(
          size.client <= width && size.scroll > size.client * 1.5,
          `the table scrolls in its box: ${JSON.stringify(size)}`,
        );
        await scroller.evaluate((box) => {
          box.scrollIntoView({ block: 'center' });
          box.scrollLeft = box.scrollWidth;
        });
        const names = await page.locator('#table-accuracy tbody tr td:first-child').evaluateAll((cells) =>
          cells.map((cell) => {
            const box = cell.closest('.table-scroll')!.getBoundingClientRect();
            const rect = cell.getBoundingClientRect();
            const seen = document.elementFromPoint(rect.left + 4, rect.top + rect.height / 2);
            return {
              name: cell.textContent,
              inBox: rect.left >= box.left - 0.5 && rect.left + 4 < box.right,
              onTop: seen === cell || cell.contains(seen),
            };
          }),
        );
        assert.ok(names.length > 0);
        for (const name of names)
          assert.deepEqual(name, { name: name.name, inBox: true, onTop: true }, `${name.name} in view`);
        await page.screenshot({ path: join(TEST_OUTPUT, `report-300px-scrolled-${colorScheme}.png`) });
        await scroller.evaluate((box) => {
          box.scrollLeft = 0;
        });
        await fitViewport(page, 300);
        await page.screenshot({ path: join(TEST_OUTPUT, `report-300px-${colorScheme}.png`), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    }
  });

  test('screenshots in light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await open(join(dir, 'report.html'), colorScheme);
      try {
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(background, colorScheme === 'dark' ? 'rgb(30, 30, 30)' : 'rgb(255, 255, 255)');
        await fitViewport(page, 1200);
        await page.screenshot({ path: join(TEST_OUTPUT, `report-${colorScheme}.png`), fullPage: true });
        await page
          .locator('svg.line-chart')
          .screenshot({ path: join(TEST_OUTPUT, `report-accuracy-${colorScheme}.png`) });
        await page
          .locator('.figures')
          .screenshot({ path: join(TEST_OUTPUT, `report-reliability-${colorScheme}.png`) });
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    }
  });
});

describe('compare page', () => {
  test('curves per method with a line per folder, differences on the shared problems, disagreements', async () => {
    const root = mkdtempSync(join(tmpdir(), 'steplens-compare-'));
    const a = join(root, 'run-a');
    const b = join(root, 'run-b');
    mkdirSync(a);
    mkdirSync(b);
    const first = reportIndex();
    const second = reportIndex();
    // In b, p3 gets every sample right and p6 none; p1 is missing; an extra problem only in b.
    second.problems = second.problems
      .filter((problem) => problem.id !== 'p1-easy')
      .map((problem) => {
        if (problem.id === 'p3')
          return {
            ...problem,
            samples: problem.samples.map((sample) => ({ ...sample, answer: '7', correct: true })),
          };
        if (problem.id === 'p6')
          return {
            ...problem,
            samples: problem.samples.map((sample) => ({ ...sample, answer: '11', correct: false })),
          };
        return problem;
      });
    second.problems.push(datasetProblem('only-b', [[true, -1, 0.9, -1, 0.9]]));
    writeFileSync(join(a, 'dataset.json'), JSON.stringify(first));
    writeFileSync(join(b, 'dataset.json'), JSON.stringify(second));
    const out = join(root, 'compare');
    const result = await runCompare([a, b], out, { subsets: 5 });
    assert.equal(result.shared, 5);
    const { page, errors, requests, close } = await open(join(out, 'report.html'), 'light');
    try {
      const charts = page.locator('figure[data-method] svg.line-chart');
      const methods = await page
        .locator('figure[data-method]')
        .evaluateAll((figures) => figures.map((figure) => figure.getAttribute('data-method')));
      assert.equal(await charts.count(), methods.length);
      assert.ok(methods.includes('self-prm') && methods.includes('majority'));
      for (const method of methods) {
        const folders = await page
          .locator(`figure[data-method="${method}"] g.series > path.line`)
          .evaluateAll((paths) =>
            paths.map((path) => [
              path.getAttribute('data-method'),
              path.getAttribute('data-folder'),
              path.getAttribute('stroke-dasharray'),
            ]),
          );
        assert.deepEqual(
          folders.map(([m, folder]) => [m, folder]),
          [
            [method, 'run-a'],
            [method, 'run-b'],
          ],
        );
        assert.notEqual(folders[0]![2], folders[1]![2], 'folders differ by dash');
      }
      const differences = await page
        .locator('#table-differences tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(
        differences.map((row) => row[0]),
        methods,
      );
      // pass@k at k_max on the shared p2…p6: a has a right sample in p2, p3, p4, p6 (4 of 5), b in p2, p3, p4 (3 of 5).
      assert.deepEqual(differences[0], ['pass@k', '80.0', '60.0', '-20.0']);
      const apart = await page
        .locator('#table-disagreements tbody tr td:first-child')
        .evaluateAll((tds) => tds.map((td) => td.textContent));
      // p3: 4/8 → 8/8 (50 points); p6: 3/8 → 0/8 (38 points).
      assert.deepEqual(apart, ['p3', 'p6']);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign(requests), []);
      await page.screenshot({ path: join(TEST_OUTPUT, 'report-compare-light.png'), fullPage: true });
    } finally {
      await close();
    }
  });
});
