/**
 * The dataset report at the scale of a large run: 500 problems × 64 samples, two judges, index only.
 * Building report.json (R = 100 subsets per problem and k) against a 2 s budget, and report.html's
 * first contentful paint in Chromium against a page that only parses the same embedded report.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { DatasetIndex } from '../src/core/dataset.js';
import { type DatasetReport, datasetReport } from '../src/core/datasetReport.js';
import { datasetReportHtml } from '../src/reportHtml.js';
import { scriptSafeJson } from '../src/webviewHtml.js';
import { launchChromium } from '../test/browser.js';
import type { BenchRow } from './bench-pipeline.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Page loads of each page: the FCP of one load varies by tens of ms on a shared machine. */
const LOADS = Number(process.env.BENCH_LOADS ?? Math.max(9, RUNS));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A seeded index: answers from five, one right; judges' scores that lean towards the right ones. */
export function syntheticIndex(problems: number, k: number): DatasetIndex {
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const judges = [
    { id: 'self', kind: 'self-critic' as const, model: 'Qwen/QwQ-32B' },
    { id: 'prm', kind: 'vllm-pooling' as const, model: 'Qwen/Qwen2.5-Math-PRM-7B' },
  ];
  const verdict = (right: boolean) => {
    const score = Math.min(1, Math.max(0, (right ? 0.65 : 0.35) + (random() - 0.5) * 0.6));
    return {
      score,
      firstError: score >= 0.5 ? -1 : 1,
      byAggregation: { min: score, product: score * score, last: score, mean: score },
    };
  };
  return {
    schemaVersion: 1,
    samplesPerProblem: k,
    problemsTotal: problems,
    judges,
    thresholds: { self: 0.5, prm: 0.5 },
    usage: {},
    cost: { total: null, bySource: {}, unpriced: [] },
    complete: true,
    excluded: [],
    problems: Array.from({ length: problems }, (_, p) => ({
      id: `problem-${p}`,
      run: `runs/problem-${p}.json`,
      reference: '1',
      usage: { sampling: { promptTokens: 0, completionTokens: 0 }, judges: {} },
      samples: Array.from({ length: k }, (_, index) => {
        const answer = `${Math.floor(random() * 5)}`;
        const right = answer === '1';
        return {
          index,
          answer,
          correct: right,
          steps: 6,
          judges: { self: verdict(right), prm: verdict(right) },
        };
      }),
    })),
  };
}

function parseOnlyPage(report: DatasetReport): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>parse only</title></head><body>
<script type="application/json" id="steplens-data">${scriptSafeJson(report)}</script>
<script>
const data = JSON.parse(document.getElementById('steplens-data').textContent);
const p = document.createElement('p');
p.className = 'parsed';
p.setAttribute('elementtiming', 'first-content');
p.textContent = 'parsed ' + data.problems + ' problems';
document.body.append(p);
</script></body></html>`;
}

/**
 * The floor for report.html: the same page with what is not drawn in the first frame cut out (the
 * sections below the first screen, which wait as raw text in <noscript class="report-later">, and the
 * script that moves them in after the first paint). The embedded data stays: the reference parses it
 * too. What this page costs over the reference is the browser drawing the first screen itself.
 */
function firstScreenOnlyPage(html: string): string {
  const withoutLater = html.replace(/<noscript class="report-later">[\s\S]*?<\/noscript>/g, '');
  const script = withoutLater.lastIndexOf('<script nonce=');
  if (script < 0 || withoutLater === html)
    throw new Error('report.html no longer has the shape this floor cuts');
  return withoutLater.slice(0, script) + withoutLater.slice(withoutLater.indexOf('</script>', script) + 9);
}

interface Load {
  /** First contentful paint. */
  fcp: number;
  /** The first real content painted: report.html's accuracy figure (its caption, after the plot), the parse-only page's line. */
  content: number;
}

/** Read in the page (a string: the scripts' types know no DOM): its FCP and the 'first-content' element's paint. */
const READ_PAINTS = `new Promise((resolve, reject) => {
  const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
  new PerformanceObserver((list) => {
    const entry = list.getEntries().find((e) => e.identifier === 'first-content');
    if (fcp === undefined || !entry) reject(new Error('no first paint recorded'));
    else resolve({ fcp, content: entry.renderTime });
  }).observe({ type: 'element', buffered: true });
})`;

/**
 * One cold load in a fresh context. Nothing is evaluated in the page until it has loaded and had
 * time to paint: Playwright's injected script (waitForFunction) costs ~8 ms of the renderer's
 * main thread, which would compete with the first frame's raster and slow whichever page paints later.
 */
async function load(browser: Browser, path: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  try {
    const page = await context.newPage();
    await page.goto(`file://${path}`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    return await page.evaluate<Load>(READ_PAINTS);
  } finally {
    await context.close();
  }
}

const range = (values: number[], digits = 0) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

export async function benchReport(): Promise<BenchRow[]> {
  const index = syntheticIndex(500, 64);
  const builds: number[] = [];
  let report: DatasetReport | undefined;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    report = datasetReport(index, { subsets: 100 });
    builds.push(performance.now() - started);
  }
  const dir = mkdtempSync(join(tmpdir(), 'steplens-bench-report-'));
  const ours = join(dir, 'report.html');
  const reference = join(dir, 'parse-only.html');
  const firstScreen = join(dir, 'first-screen-only.html');
  const html = datasetReportHtml(report!, 'bench');
  writeFileSync(ours, html);
  writeFileSync(firstScreen, firstScreenOnlyPage(html));
  writeFileSync(reference, parseOnlyPage(report!));
  const browser = await launchChromium();
  try {
    // One load of each first (Chromium's caches), then LOADS of each, alternating. On a machine
    // shared with other work the ratio follows the load: report it beside the figures.
    await load(browser, ours);
    await load(browser, reference);
    const oursLoads: Load[] = [];
    const referenceLoads: Load[] = [];
    const floorLoads: Load[] = [];
    for (let i = 0; i < LOADS; i++) {
      oursLoads.push(await load(browser, ours));
      referenceLoads.push(await load(browser, reference));
      floorLoads.push(await load(browser, firstScreen));
    }
    const rows: BenchRow[] = [
      {
        name: 'dataset report, 500 problems × 64 samples, R = 100',
        value: median(builds),
        unit: 'ms',
        reference: 2000,
        referenceName: 'budget',
      },
    ];
    for (const [key, what, loads] of [
      ['fcp', 'first contentful paint', oursLoads],
      ['content', 'first real content (the accuracy plot)', oursLoads],
      ['content', 'first screen alone (floor: no later sections, no script)', floorLoads],
    ] as const) {
      const mine = loads.map((entry) => entry[key]);
      const theirs = referenceLoads.map((entry) => entry[key]);
      const pairs = mine.map((value, i) => value / theirs[i]!);
      console.log(
        `report.html ${what}, ${LOADS} loads: ${range(mine)} ms; parse-only page ${range(theirs)} ms; ratio of medians ${(median(mine) / median(theirs)).toFixed(2)}, per load ${range(pairs, 2)} (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
      );
      rows.push({
        name: `report.html ${what}, 500 × 64`,
        value: median(mine),
        unit: 'ms',
        reference: median(theirs),
        referenceName: `parse-only page, same run (${LOADS} loads each)`,
      });
    }
    return rows;
  } finally {
    await browser.close();
  }
}

if (process.argv[1]?.endsWith('bench-report.ts')) {
  void benchReport().then((rows) => {
    for (const row of rows)
      console.log(
        `${row.name}: ${row.value.toFixed(0)} ${row.unit} vs ${row.reference.toFixed(0)} ${row.unit} (${row.referenceName}), ratio ${(row.value / row.reference).toFixed(2)}`,
      );
  });
}
