/**
 * End to end, as a person would: the packaged .vsix installed in code-server, driven in headless
 * Chromium. Right-click a problem in the Explorer, Analyze, watch the panel fill, label two steps
 * with the keyboard, Export Audits from the command palette, then read the exported file on disk.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium, TEST_OUTPUT } from '../browser.js';
import { ROOT } from '../support.js';
import { CODE_SERVER, type CodeServer, makeWorkspace, startCodeServer, stubSettings } from './codeServer.js';
import { startStubs } from './stubs.js';

const VSIX = join(ROOT, 'steplens.vsix');
let browser: Browser;
let server: CodeServer;
let stubs: Awaited<ReturnType<typeof startStubs>>;

before(async () => {
  assert.ok(existsSync(CODE_SERVER), 'code-server is missing: scripts/install-code-server.sh installs it');
  assert.ok(existsSync(VSIX), 'steplens.vsix is missing: npm run package builds it');
  stubs = await startStubs();
  server = await startCodeServer({
    workspace: makeWorkspace(),
    settings: stubSettings(stubs.policy.baseUrl, stubs.prm.url),
    vsix: VSIX,
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await stubs?.close();
});

/** The StepLens webview is two iframes deep; find the frame that holds the panel. */
async function panelFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.$('.step').catch(() => null)) return frame;
    }
    if (Date.now() > deadline) throw new Error('no StepLens panel with steps appeared');
    await page.waitForTimeout(250);
  }
}

async function waitForFile(dir: string, name: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(dir)) {
      for (const entry of readdirSync(dir)) {
        const candidate = join(dir, entry, name);
        if (existsSync(candidate)) return candidate;
      }
    }
    if (Date.now() > deadline) throw new Error(`no ${name} under ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('right-click, analyze, see both scores, label with the keyboard, export', {
  timeout: 240_000,
}, async () => {
  const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The Explorer renders before extension menus exist: wait for StepLens's activity-bar icon.
    await page.waitForSelector('.activitybar a.action-label[aria-label^="StepLens"]', { timeout: 60_000 });

    const row = page.getByRole('treeitem', { name: 'hypotenuse.md', exact: true });
    await row.waitFor({ timeout: 30_000 });
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Analyze Problem/ }).click();

    const frame = await panelFrame(page);
    // The panel opens where the judges disagree: sample 1 ("beta"), step 1.
    await frame.waitForSelector('.step.disagree[data-step="1"]', { timeout: 30_000 });
    assert.equal(await frame.textContent('.steps-head h3'), 'Sample 1');
    const values = await frame.$eval('.step[data-step="1"]', (step) => [
      step.querySelector('.score.self .score-value')?.textContent,
      step.querySelector('.score.prm .score-value')?.textContent,
    ]);
    assert.deepEqual(values, ['0.25', '0.90']);

    // Label two steps with the keyboard: step 1 is wrong (−1), step 2 is fine (+1).
    await frame.click('.step[data-step="1"] .step-text');
    await page.keyboard.press('1');
    await page.keyboard.press('j');
    await page.keyboard.press('3');
    await frame.waitForSelector('.step[data-step="2"] .chip.rating.r1.active');
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-panel.png') });

    // Export Audits from the command palette: the open run is preselected, the default folder is fresh.
    await page.click('.part.editor', { position: { x: 200, y: 200 } });
    await page.keyboard.press('F1');
    await page.keyboard.type('StepLens: Export Audits');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) .quick-input-title', {
      timeout: 10_000,
    });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');

    const csvPath = await waitForFile(join(server.workspace, '.steplens', 'exports'), 'steps.csv');
    const rows = readFileSync(csvPath, 'utf8')
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const header = rows[0]!;
    const rating = header.indexOf('human_rating');
    const ratingOf = (sample: string, step: string) =>
      rows.find((r) => r[1] === sample && r[2] === step)?.[rating];
    assert.equal(ratingOf('1', '1'), '-1');
    assert.equal(ratingOf('1', '2'), '1');
    assert.equal(ratingOf('1', '0'), '');
    const report = JSON.parse(readFileSync(join(csvPath, '..', 'report.json'), 'utf8')) as {
      ratedSteps: number;
      samples: number;
    };
    assert.deepEqual([report.ratedSteps, report.samples], [2, 4]);
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-exported.png') });
  } catch (error) {
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-failure.png') }).catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
});
