/**
 * The built panel in a page with a fake VS Code host: `acquireVsCodeApi` records what the panel
 * posts, and the test sends host messages as VS Code would. Same bundle, same HTML generator.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { HostMessage, WebviewMessage } from '../../src/protocol.js';
import { createNonce, panelDeferredAssets, panelHtml } from '../../src/webviewHtml.js';
import { ROOT } from '../support.js';
import { openFakeWebview } from './fakeWebview.js';

let pagePath: string | undefined;

/**
 * Counts what the page's ResizeObservers really observe (wrapping the browser's own class), so a
 * test can see that rows leaving the list stop being observed without trusting the list's word.
 */
const RESIZE_OBSERVER_PROBE = `
  (() => {
    const Native = window.ResizeObserver;
    const targets = new Map();
    window.__observedTargets = () => [...targets.values()].flatMap((set) => [...set]);
    window.ResizeObserver = class extends Native {
      constructor(callback) { super(callback); targets.set(this, new Set()); }
      observe(target, options) { targets.get(this).add(target); super.observe(target, options); }
      unobserve(target) { targets.get(this).delete(target); super.unobserve(target); }
      disconnect() { targets.get(this).clear(); super.disconnect(); }
    };
  })();
`;

/** The panel page without data: what the VS Code webview loads, with the assets inlined. */
export function panelPagePath(): string {
  if (pagePath) return pagePath;
  const html = panelHtml({
    title: 'StepLens test',
    nonce: createNonce(),
    inlineScript: readFileSync(join(ROOT, 'dist', 'webview.js'), 'utf8'),
    inlineStyle: readFileSync(join(ROOT, 'dist', 'standalone.css'), 'utf8'),
    deferred: panelDeferredAssets((name) => readFileSync(join(ROOT, 'dist', name), 'utf8'), true),
  });
  pagePath = join(mkdtempSync(join(tmpdir(), 'steplens-panel-')), 'panel.html');
  writeFileSync(pagePath, html);
  return pagePath;
}

export interface PanelPage {
  page: Page;
  errors: string[];
  posted(): Promise<WebviewMessage[]>;
  send(message: HostMessage): Promise<void>;
  close(): Promise<void>;
}

export async function openPanel(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {},
): Promise<PanelPage> {
  return openFakeWebview<WebviewMessage>(browser, panelPagePath(), {
    width: options.width ?? 560,
    height: options.height ?? 1000,
    colorScheme: options.colorScheme ?? 'light',
    state: 'memory',
    offline: false,
    initScripts: [RESIZE_OBSERVER_PROBE],
  });
}

/**
 * Starts recording the page's long tasks (over 50 ms of its main thread); the function returned
 * gives the durations (ms) recorded since it was last called.
 */
export async function recordLongTasks(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__long.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { __long: number[] };
      const taken = w.__long;
      w.__long = [];
      return taken;
    });
}
