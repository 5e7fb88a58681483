/**
 * What the end-to-end tests do in a code-server window as a person would: open the packaged
 * extension in code-server and one Chromium page on it, run a command from the palette, find a
 * webview's page. One copy for every suite (ui, queue, queueNotes, panelPlace).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchChromium } from '../browser.js';
import { ROOT } from '../support.js';
import { CODE_SERVER, type CodeServer, startCodeServer } from './codeServer.js';

/** The packaged extension the end-to-end suites install (`npm run package` makes it). */
export const VSIX = join(ROOT, 'steplens.vsix');

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Closes the page, the browser and code-server (whatever of them was opened). */
  close(): Promise<void>;
}

/** code-server on `workspace` with the packaged .vsix installed, and one Chromium page of `viewport` on it. */
export async function openWorkbench(options: {
  workspace: string;
  settings: Record<string, unknown>;
  viewport?: { width: number; height: number };
}): Promise<Workbench> {
  assert.ok(existsSync(CODE_SERVER), 'code-server is missing: scripts/install-code-server.sh installs it');
  assert.ok(existsSync(VSIX), 'steplens.vsix is missing: npm run package builds it');
  const opened: Partial<Workbench> = {};
  const close = async () => {
    await opened.context?.close();
    await opened.browser?.close();
    await opened.server?.stop();
  };
  try {
    opened.server = await startCodeServer({
      workspace: options.workspace,
      settings: options.settings,
      vsix: VSIX,
    });
    opened.browser = await launchChromium();
    opened.context = await opened.browser.newContext({
      viewport: options.viewport ?? { width: 1400, height: 900 },
    });
    opened.page = await opened.context.newPage();
  } catch (error) {
    await close();
    throw error;
  }
  return { ...(opened as Omit<Workbench, 'close'>), close };
}

/** Opens the workbench on `workspace` in `page` and waits until StepLens's activity-bar icon is there. */
export async function openWorkspace(
  page: Page,
  server: CodeServer,
  workspace = server.workspace,
): Promise<void> {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.activitybar a.action-label[aria-label^="StepLens"]', { timeout: 60_000 });
}

/**
 * Runs a command from the palette. Types only once the palette is open, as a person looks before
 * typing: an F1 that a focused webview kept would otherwise send the command's letters to it as
 * shortcuts ("e" marks a first error in the queue).
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const opened = await page
      .waitForSelector('.quick-input-widget:visible .quick-input-box input', { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (opened) break;
    if (attempt === 3) throw new Error('F1 never opened the command palette');
  }
  await page.keyboard.type(title);
  // The palette may list the command twice (recently used, then all); wait for one a person can see.
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label^="${title}"]:visible`, {
    timeout: 10_000,
  });
  await page.keyboard.press('Enter');
}

/** A webview's page (two iframes deep): the frame where `selector` is visible. */
export async function webviewFrame(
  page: Page,
  selector: string,
  what: string,
  timeoutMs = 60_000,
): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const found = await frame.$(selector).catch(() => null);
      if (found && (await found.isVisible().catch(() => false))) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no ${what} appeared`);
    await page.waitForTimeout(250);
  }
}
