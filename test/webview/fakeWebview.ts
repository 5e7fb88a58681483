/** Webview pages (panel, report view, queue, adjudication) opened in Chromium under a fake VS Code API. */
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** What the fake VS Code API keeps between getState and setState: nothing, this page load, or the tab (survives a reload). */
export type FakeState = 'none' | 'memory' | 'session';

/**
 * A stand-in for VS Code's `acquireVsCodeApi`, recording every message the page posts in
 * `window.__posted`. A string, not a function: the test runner's transpiler would wrap a function
 * in helpers the page does not have.
 */
function fakeVsCodeApi(state: FakeState): string {
  const store = {
    none: 'getState() { return undefined; }, setState() {},',
    memory: 'getState() { return state; }, setState(next) { state = next; },',
    session:
      "getState() { const saved = sessionStorage.getItem('state'); return saved ? JSON.parse(saved) : undefined; }, setState(next) { sessionStorage.setItem('state', JSON.stringify(next)); },",
  }[state];
  return `(() => {
    const posted = [];
    let state;
    window.__posted = posted;
    window.acquireVsCodeApi = () => ({ postMessage(message) { posted.push(message); }, ${store} });
  })();`;
}

export interface FakeWebview<Out> {
  page: Page;
  context: BrowserContext;
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Everything the page posted to the host so far. */
  posted(): Promise<Out[]>;
  /** A message from the host, as VS Code delivers it. */
  send(message: unknown): Promise<void>;
  close(): Promise<void>;
}

/**
 * A webview page opened in a fresh context as VS Code would show it, under the fake API; returns
 * once the page has posted `ready`, unless `waitReady` is false.
 */
export async function openFakeWebview<Out>(
  browser: Browser,
  path: string,
  options: {
    width: number;
    height: number;
    colorScheme?: 'light' | 'dark';
    state?: FakeState;
    offline?: boolean;
    initScripts?: string[];
    waitReady?: boolean;
  },
): Promise<FakeWebview<Out>> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.colorScheme ?? 'light',
    ...(options.offline === false ? {} : { offline: true }),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.addInitScript(fakeVsCodeApi(options.state ?? 'none'));
  for (const script of options.initScripts ?? []) await page.addInitScript(script);
  await page.goto(`file://${path}`);
  if (options.waitReady !== false)
    await page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'),
    );
  return {
    page,
    context,
    errors,
    posted: () => page.evaluate(() => (window as unknown as { __posted: Out[] }).__posted),
    send: async (message) => {
      await page.evaluate((m) => window.postMessage(m, '*'), message);
    },
    close: () => context.close(),
  };
}
