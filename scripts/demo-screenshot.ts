/**
 * The demo's first screen, as a new user gets it: the demo (endpoint, code-server with the packaged
 * StepLens, the demo workspace) on free ports, headless Chromium, the "Try:" action (right-click
 * the problem → Analyze Problem), a screenshot once the run is complete, then everything stopped.
 *
 *   npm run --silent package && npx tsx scripts/demo-screenshot.ts [OUT.png] [--theme light|dark] (VS Code's default theme without it) [--sidebar PX]
 *
 * OUT defaults to docs/screenshots/demo-first-screen.png; `--sidebar PX` widens the side bar to PX
 * first (720 by default; 0 leaves VS Code's default width).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { launchChromium } from '../test/browser.js';
import { startCodeServer } from '../test/e2e/codeServer.js';
import { ROOT } from '../test/support.js';
import { DEMO_TRY_FILE, demoSettings, makeDemoWorkspace } from './demo.js';
import { startDemoEndpoint } from './demo-endpoint.js';

const args = process.argv.slice(2);
const themeAt = args.indexOf('--theme');
const theme = themeAt >= 0 ? args.splice(themeAt, 2)[1] : undefined;
const widthAt = args.indexOf('--sidebar');
const sidebarWidth = widthAt >= 0 ? Number(args.splice(widthAt, 2)[1]) : 720;
const out = args[0] ?? join(ROOT, 'docs', 'screenshots', 'demo-first-screen.png');

function completeRun(workspace: string): boolean {
  const runs = join(workspace, '.steplens', 'runs');
  if (!existsSync(runs)) return false;
  return readdirSync(runs)
    .filter((name) => name.endsWith('.json'))
    .some((name) => {
      try {
        return (
          (JSON.parse(readFileSync(join(runs, name), 'utf8')) as { status?: string }).status === 'complete'
        );
      } catch {
        return false;
      }
    });
}

async function main(): Promise<void> {
  const workspace = join(mkdtempSync(join(tmpdir(), 'steplens-demo-')), 'demo-workspace');
  makeDemoWorkspace(workspace);
  const endpoint = await startDemoEndpoint({ latencyMs: 400, chunkDelayMs: 15 });
  const server = await startCodeServer({
    workspace,
    vsix: join(ROOT, 'steplens.vsix'),
    settings: {
      ...demoSettings(endpoint.baseUrl, endpoint.url),
      ...(theme
        ? { 'workbench.colorTheme': theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern' }
        : {}),
    },
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.activitybar a.action-label[aria-label^="StepLens"]', { timeout: 60_000 });
    const row = page.getByRole('treeitem', { name: DEMO_TRY_FILE, exact: true });
    await row.waitFor({ timeout: 30_000 });
    // Look at the problem first, then analyze it.
    await row.click();
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Analyze Problem/ }).click();
    const deadline = Date.now() + 120_000;
    while (!completeRun(workspace)) {
      if (Date.now() > deadline) throw new Error('the analysis did not complete');
      await page.waitForTimeout(250);
    }
    // Widen the side bar, as a person reading a run does (the default is about 300 px).
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    if (sidebar && sidebarWidth > sidebar.width) {
      const x = sidebar.x + sidebar.width;
      const y = sidebar.y + sidebar.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(sidebar.x + sidebarWidth, y, { steps: 10 });
      await page.mouse.up();
    }
    await page.mouse.move(sidebar ? sidebar.x + 40 : 0, 8);
    // Let the panel typeset the last update.
    await page.waitForTimeout(2500);
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(out);
  } catch (error) {
    const failure = join(ROOT, 'test-output', 'demo-screenshot-failure.png');
    mkdirSync(dirname(failure), { recursive: true });
    await (await browser.contexts()[0]?.pages()[0])?.screenshot({ path: failure }).catch(() => {});
    throw error;
  } finally {
    await browser.close();
    await server.stop();
    await endpoint.close();
  }
}

void main().catch((error: unknown) => {
  console.error(`demo screenshot failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
