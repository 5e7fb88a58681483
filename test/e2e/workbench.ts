/**
 * What the end-to-end tests do in a code-server window as a person would: run a command from the
 * palette, find a webview's page. One copy for every suite (ui.test.ts, queue.test.ts).
 */
import type { Frame, Page } from 'playwright-core';

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
