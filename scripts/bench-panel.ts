/**
 * The panel at the paper's scale, in the webview tests' Chromium: a 64 × 300 run made by the real
 * pipeline. First contentful paint of `steplens view --html` against a page that only parses the
 * same embedded run; the longest task while switching samples, scrolling, labeling and filtering
 * (VS Code path, fake host); opening the run file and replaying a 10,000-event audit log.
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
import { openPanel } from '../test/webview/panelPage.js';
import type { BenchRow } from './bench-pipeline.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function firstContentfulPaint(
  browser: Browser,
  path: string,
  selector: string,
): Promise<{ fcp: number; ready: number }> {
  const context = await browser.newContext({ viewport: { width: 560, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`file://${path}`);
  await page.waitForSelector(selector, { timeout: 60_000 });
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  const result = await page.evaluate((sel) => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]!.startTime;
    const mark = performance.getEntriesByName('steplens:first-step')[0];
    return { fcp, ready: mark ? mark.startTime : Number.NaN, selector: sel };
  }, selector);
  await context.close();
  return result;
}

/** The reference: the same run embedded the same way, parsed, and one line written. */
function parseOnlyPage(run: Run): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>parse only</title></head><body>
<script type="application/json" id="steplens-data">${scriptSafeJson({ run, events: [] })}</script>
<script>
const data = JSON.parse(document.getElementById('steplens-data').textContent);
const p = document.createElement('p');
p.className = 'parsed';
p.textContent = 'parsed ' + data.run.samples.length + ' samples';
document.body.append(p);
</script></body></html>`;
}

async function longestTasks(browser: Browser, run: Run): Promise<Record<string, number>> {
  const panel = await openPanel(browser, { width: 560, height: 1000 });
  try {
    await panel.send({ type: 'run/show', run, events: [], readOnly: false });
    await panel.page.waitForSelector('.step');
    await panel.page.waitForTimeout(1000);
    await panel.page.evaluate(() => {
      const w = window as unknown as { __long: number[] };
      w.__long = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__long.push(entry.duration);
      }).observe({ type: 'longtask' });
    });
    const take = () =>
      panel.page.evaluate(() => {
        const w = window as unknown as { __long: number[] };
        const max = Math.max(0, ...w.__long);
        w.__long = [];
        return max;
      });
    const settle = () => panel.page.waitForTimeout(150);
    const result: Record<string, number> = {};
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
  const dir = mkdtempSync(join(tmpdir(), 'steplens-bench-'));
  const ours = join(dir, 'run.html');
  const reference = join(dir, 'parse-only.html');
  writeFileSync(ours, await standaloneHtml({ run, events: [] }, 'bench'));
  writeFileSync(reference, parseOnlyPage(run));
  const runPath = join(dir, 'run.json');
  await writeRun(runPath, run);
  const log = auditLog(run, 10_000);

  const browser = await launchChromium();
  try {
    const oursFcp: number[] = [];
    const oursStep: number[] = [];
    const referenceFcp: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = await firstContentfulPaint(browser, ours, '.step');
      oursFcp.push(a.fcp);
      oursStep.push(a.ready);
      referenceFcp.push((await firstContentfulPaint(browser, reference, '.parsed')).fcp);
    }
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
    const referenceMs = median(referenceFcp);
    return [
      {
        name: 'panel FCP, 64×300 run (view --html)',
        value: median(oursFcp),
        unit: 'ms',
        reference: referenceMs,
        referenceName: 'parse-only page FCP',
      },
      {
        name: 'panel first step on screen',
        value: median(oursStep),
        unit: 'ms',
        reference: referenceMs,
        referenceName: 'parse-only page FCP',
      },
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
