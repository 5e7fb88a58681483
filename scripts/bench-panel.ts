/**
 * The panel at the paper's scale, in the webview tests' Chromium: runs of 64 × 300 and 8 × 300 steps
 * made by the real pipeline. For `steplens view --html`, first contentful paint and the first step's
 * text on screen (Element Timing), each against a page that only parses the same embedded run,
 * loaded alternately in the same browser; the longest task while switching samples, scrolling,
 * labeling, filtering and typing a search (VS Code path, fake host); opening the run file and replaying a
 * 10,000-event audit log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { standaloneHtml } from '../src/cli/view.js';
import { type AuditChange, replayAudit, stampEvent } from '../src/core/audit.js';
import type { Run } from '../src/core/schemas.js';
import { parseAuditLog } from '../src/io/auditLog.js';
import { readRun, writeRun } from '../src/io/runFiles.js';
import { scriptSafeJson } from '../src/webviewHtml.js';
import { launchChromium } from '../test/browser.js';
import { LARGE_RUN, makeRun } from '../test/fixtures/makeRun.js';
import { openPanel, recordLongTasks } from '../test/webview/panelPage.js';
import type { BenchRow } from './bench-pipeline.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: number[], digits = 0) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

/**
 * Records Element Timing entries from the start (a string: the test runner's transpiler would wrap
 * a function in helpers the page does not have). The panel names each step's text `step-text`; the
 * parse-only page names its one line `parsed`.
 */
const ELEMENT_TIMING = `
  window.__elements = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__elements.push({ id: entry.identifier, at: entry.renderTime || entry.loadTime });
  }).observe({ type: 'element', buffered: true });
`;

/** One load: first contentful paint and when the element named `identifier` was first on screen. */
async function paintTimes(
  browser: Browser,
  path: string,
  identifier: string,
): Promise<{ fcp: number; text: number }> {
  const context = await browser.newContext({ viewport: { width: 560, height: 1000 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(ELEMENT_TIMING);
    await page.goto(`file://${path}`);
    return await page
      .waitForFunction(
        (id) => {
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
          const elements = (window as unknown as { __elements: { id: string; at: number }[] }).__elements;
          const text = elements.find((entry) => entry.id === id)?.at;
          return fcp !== undefined && text !== undefined ? { fcp, text } : undefined;
        },
        identifier,
        { timeout: 60_000 },
      )
      .then((handle) => handle.jsonValue() as Promise<{ fcp: number; text: number }>);
  } finally {
    await context.close();
  }
}

/** The reference: the same run embedded the same way, parsed, and one line written. */
function parseOnlyPage(run: Run): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>parse only</title></head><body>
<script type="application/json" id="steplens-data">${scriptSafeJson({ run, events: [] })}</script>
<script>
const data = JSON.parse(document.getElementById('steplens-data').textContent);
const p = document.createElement('p');
p.className = 'parsed';
p.setAttribute('elementtiming', 'parsed');
p.textContent = 'parsed ' + data.run.samples.length + ' samples';
document.body.append(p);
</script></body></html>`;
}

/**
 * The standalone page of `run` against the parse-only page, loaded alternately RUNS times each:
 * medians (the ratio column) with the range of the loads and of the per-pair ratios in the name.
 * Also the same page with its script taken out: what the browser alone spends painting the panel's
 * first frame (the page's frame is drawn into it when it is written), the floor for the page.
 */
async function standaloneRows(browser: Browser, run: Run, label: string, dir: string): Promise<BenchRow[]> {
  const ours = join(dir, `run-${label}.html`);
  const frameOnly = join(dir, `frame-only-${label}.html`);
  const reference = join(dir, `parse-only-${label}.html`);
  const page = await standaloneHtml({ run, events: [] }, 'bench');
  if (page.firstFrameNotDrawn) throw new Error(`the first frame was not drawn: ${page.firstFrameNotDrawn}`);
  writeFileSync(ours, page.html);
  const script = page.html.lastIndexOf('<script nonce=');
  writeFileSync(
    frameOnly,
    page.html.slice(0, script) + page.html.slice(page.html.indexOf('</script>', script) + 9),
  );
  writeFileSync(reference, parseOnlyPage(run));
  const fcp: number[] = [];
  const step: number[] = [];
  const floor: number[] = [];
  const parsed: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = await paintTimes(browser, ours, 'step-text');
    const b = await paintTimes(browser, reference, 'parsed');
    const c = await paintTimes(browser, frameOnly, 'step-text');
    fcp.push(a.fcp);
    step.push(a.text);
    parsed.push(b.fcp);
    floor.push(c.fcp);
  }
  const ratios = (values: number[]) =>
    range(
      values.map((value, i) => value / parsed[i]!),
      2,
    );
  const referenceName = `parse-only page FCP (${range(parsed)} ms)`;
  return [
    {
      name: `panel FCP, ${label} run, view --html (${range(fcp)} ms; ratios ${ratios(fcp)})`,
      value: median(fcp),
      unit: 'ms',
      reference: median(parsed),
      referenceName,
    },
    {
      name: `panel first step text on screen, ${label} (${range(step)} ms; ratios ${ratios(step)})`,
      value: median(step),
      unit: 'ms',
      reference: median(parsed),
      referenceName,
    },
    {
      name: `the same page without its script (the browser's cost of the first frame), ${label} (${range(floor)} ms; ratios ${ratios(floor)})`,
      value: median(floor),
      unit: 'ms',
      reference: median(parsed),
      referenceName,
    },
  ];
}

export async function longestTasks(browser: Browser, run: Run): Promise<Record<string, number>> {
  const panel = await openPanel(browser, { width: 560, height: 1000 });
  try {
    const longTasks = await recordLongTasks(panel.page);
    await panel.send({ type: 'run/show', run, events: [], readOnly: false });
    await panel.page.waitForSelector('.step');
    // What the panel does after its first paint: KaTeX loads, zod checks the run (in slices).
    await panel.page.waitForFunction(
      () =>
        performance.getEntriesByName('steplens:katex').length > 0 &&
        performance.getEntriesByName('steplens:verified').length > 0,
      undefined,
      { timeout: 60_000 },
    );
    await panel.page.waitForTimeout(1000);
    const take = async () => Math.max(0, ...(await longTasks()));
    const settle = () => panel.page.waitForTimeout(150);
    const result: Record<string, number> = {};
    result['opening a run (its show, then KaTeX and zod after the first paint)'] = await take();
    for (let i = 0; i < 12; i++) {
      await panel.page.keyboard.press('Shift+J');
      await panel.page.waitForTimeout(40);
    }
    await settle();
    result['switching samples'] = await take();
    for (let i = 0; i < 40; i++) {
      await panel.page.mouse.wheel(0, 900);
      await panel.page.waitForTimeout(16);
    }
    await settle();
    result.scrolling = await take();
    for (let i = 0; i < 15; i++) {
      await panel.page.keyboard.press('j');
      await panel.page.keyboard.press(String((i % 3) + 1));
    }
    await settle();
    result.labeling = await take();
    await panel.page.keyboard.press('f');
    await settle();
    await panel.page.keyboard.press('f');
    await settle();
    result.filtering = await take();
    // Typed a key at a time, each searched (past the 150 ms debounce): a word, then "e", which
    // holds over 100,000 matches in the steps and traces.
    await panel.page.keyboard.press('/');
    for (const key of 'squares') {
      await panel.page.keyboard.type(key);
      await panel.page.waitForTimeout(250);
    }
    await panel.page.keyboard.press('Control+a');
    await panel.page.keyboard.type('e');
    await panel.page.waitForTimeout(250);
    await settle();
    result['typing a search (each key searched)'] = await take();
    return result;
  } finally {
    await panel.close();
  }
}

function auditLog(run: Run, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const sample = i % run.samples.length;
    const step = (i * 7) % 300;
    const change: AuditChange =
      i % 5 === 4
        ? { type: 'whoWasRight', sample, step, judge: 'qwen-prm', who: 'prm' }
        : { type: 'stepRating', sample, step, rating: ((i % 3) - 1) as -1 | 0 | 1 };
    lines.push(JSON.stringify(stampEvent(change)));
  }
  return `${lines.join('\n')}\n`;
}

export async function benchPanel(): Promise<BenchRow[]> {
  const run = await makeRun(LARGE_RUN);
  const small = await makeRun({ ...LARGE_RUN, samples: 8 });
  const dir = mkdtempSync(join(tmpdir(), 'steplens-bench-'));
  const runPath = join(dir, 'run.json');
  await writeRun(runPath, run);
  const log = auditLog(run, 10_000);

  const browser = await launchChromium();
  try {
    const pages = [
      ...(await standaloneRows(browser, run, '64×300', dir)),
      ...(await standaloneRows(browser, small, '8×300', dir)),
    ];
    const tasks = await longestTasks(browser, run);
    const openTimes: number[] = [];
    const replayTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let started = performance.now();
      await readRun(runPath);
      openTimes.push(performance.now() - started);
      started = performance.now();
      replayAudit(parseAuditLog(log).events);
      replayTimes.push(performance.now() - started);
    }
    return [
      ...pages,
      ...Object.entries(tasks).map(([what, ms]) => ({
        name: `longest task while ${what}`,
        value: ms,
        unit: 'ms',
        reference: 50,
        referenceName: 'budget',
      })),
      {
        name: 'open a 64×300 run file (read + validate)',
        value: median(openTimes),
        unit: 'ms',
        reference: 200,
        referenceName: 'budget',
      },
      {
        name: 'replay an audit log of 10,000 events',
        value: median(replayTimes),
        unit: 'ms',
        reference: 200,
        referenceName: 'budget',
      },
    ];
  } finally {
    await browser.close();
  }
}

// `npx tsx scripts/bench-panel.ts`: this part of `npm run bench` alone (after `node scripts/build.mjs --production`).
if (process.argv[1]?.endsWith('bench-panel.ts'))
  void benchPanel().then((rows) => {
    for (const row of rows)
      console.log(
        `${row.name}: ${row.value.toFixed(1)} ${row.unit} vs ${row.reference.toFixed(1)} (${row.referenceName}) = ${(row.value / row.reference).toFixed(2)}`,
      );
  });
