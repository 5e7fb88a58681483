/**
 * What the panel loads after its first paint: KaTeX (code, stylesheet, fonts), zod with the
 * protocol's schemas, and the definition of its selects (selectEntry.ts). The page says where they are (src/webviewHtml.ts): in VS Code, as files
 * beside the panel's bundle (their webview URIs in a JSON element); in a standalone page, inline in
 * an inert <template> at the end of the page, which the HTML parser only scans. Either way they run
 * and apply under the page's nonce: the CSP stays as strict as for the panel's own script.
 */
import type * as Validators from './validators.js';

export interface KatexApi {
  renderToString(tex: string, options: Record<string, unknown>): string;
}

export type ValidatorsApi = typeof Validators;

declare global {
  interface Window {
    /** Set by dist/katex.js (webview/katex.ts) when it runs. */
    steplensKatex?: KatexApi;
    /** Set by dist/validators.js (webview/validatorsEntry.ts) when it runs. */
    steplensValidators?: ValidatorsApi;
  }
}

export const DEFERRED_ASSETS_ID = 'steplens-deferred';
let contentfulPaint: Promise<void> | undefined;

/**
 * Resolves once the page's first contentful paint is on screen (its timing entry is reported after
 * the frame was presented), or after a second when no content is ever painted. Work deferred past
 * the first paint waits for it: until then the frame is still being rastered and drawn on the same
 * two cores, and KaTeX's 270 KB evaluated meanwhile would delay it.
 */
function firstContentfulPaint(): Promise<void> {
  contentfulPaint ??= new Promise<void>((resolve) => {
    const painted = () => performance.getEntriesByName('first-contentful-paint').length > 0;
    if (painted()) return resolve();
    const observer = new PerformanceObserver(() => {
      if (!painted()) return;
      observer.disconnect();
      resolve();
    });
    observer.observe({ type: 'paint', buffered: true });
    setTimeout(resolve, 1000);
  });
  return contentfulPaint;
}

/**
 * Runs `work` in a task after the frame being prepared now has been painted (a task queued from an
 * animation frame runs after that frame), and not before the page's first contentful paint is on
 * screen.
 */
export function afterPaint(work: () => void): void {
  requestAnimationFrame(() => setTimeout(() => void firstContentfulPaint().then(work), 0));
}

/** The names src/webviewHtml.ts gives them (panelDeferredAssets). */
type AssetName = 'katex' | 'validators' | 'select';

/** The nonce of the script running now: the panel's bundle reads it while it initialises. */
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

const loads = new Map<AssetName, Promise<void>>();
/** Each asset's stylesheet: `applied` resolves once `settle` is called (applied, failed or absent). */
const styled = new Map<AssetName, { applied: Promise<void>; settle: () => void }>();

/** KaTeX, loaded once; undefined when the page carries none (math then stays TeX source). */
export async function loadKatex(): Promise<KatexApi | undefined> {
  if (!window.steplensKatex) await loadAsset('katex');
  return window.steplensKatex;
}

/**
 * Resolves once KaTeX's stylesheet is in the page and applied (its @font-face rules known to
 * document.fonts), which is before its script has loaded and run: the faces can load meanwhile.
 * Asks for KaTeX as loadKatex does.
 */
export function katexStyled(): Promise<void> {
  void loadAsset('katex');
  return styled.get('katex')?.applied ?? Promise.resolve();
}

/** zod and the protocol's schemas, loaded once; undefined when the page carries none. */
export async function loadValidators(): Promise<ValidatorsApi | undefined> {
  if (!window.steplensValidators) await loadAsset('validators');
  return window.steplensValidators;
}

let selectsAsked = false;

/**
 * Defines the selects (vscode-single-select, vscode-option) after the first paint, asked once by
 * the first select made; until then they show their chosen option only (styles.css).
 */
export function defineSelectsAfterPaint(): void {
  if (selectsAsked) return;
  selectsAsked = true;
  afterPaint(() => void loadAsset('select'));
}

function loadAsset(name: AssetName): Promise<void> {
  let loading = loads.get(name);
  if (!loading) {
    let settle = () => {};
    const applied = new Promise<void>((resolve) => {
      settle = resolve;
    });
    styled.set(name, { applied, settle });
    loading = load(name)
      .catch((error: unknown) => console.error(`StepLens: ${name} did not load`, error))
      .finally(settle);
    loads.set(name, loading);
  }
  return loading;
}

async function load(name: AssetName): Promise<void> {
  // The assets follow the panel's script in the page: asked for early, they wait for the parser.
  if (document.readyState === 'loading')
    await new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }));
  const assets = document.getElementById(DEFERRED_ASSETS_ID);
  if (assets instanceof HTMLTemplateElement) {
    const css = assets.content.querySelector(`style[data-asset="${name}"]`)?.textContent;
    const code = assets.content.querySelector(`script[data-asset="${name}"]`)?.textContent;
    if (css) {
      const style = document.createElement('style');
      style.nonce = nonce;
      style.textContent = css;
      beforePanelStyles(style);
    }
    // An inline stylesheet applies as it is inserted.
    styled.get(name)?.settle();
    if (code) {
      const script = document.createElement('script');
      script.nonce = nonce;
      // Runs as it is inserted: an inline script with the page's nonce.
      script.textContent = code;
      document.head.append(script);
    }
    return;
  }
  if (!assets?.textContent) return;
  const uris = (JSON.parse(assets.textContent) as Record<string, { script?: unknown; style?: unknown }>)[
    name
  ];
  const pending: Promise<void>[] = [];
  if (typeof uris?.style === 'string') {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.nonce = nonce;
    link.href = uris.style;
    // A stylesheet that fails leaves math unstyled, never untypeset.
    pending.push(
      loaded(link)
        .catch(() => {})
        .finally(() => styled.get(name)?.settle()),
    );
    beforePanelStyles(link);
  } else styled.get(name)?.settle();
  if (typeof uris?.script === 'string') {
    const script = document.createElement('script');
    script.nonce = nonce;
    script.src = uris.script;
    pending.push(loaded(script));
    document.head.append(script);
  }
  await Promise.all(pending);
}

/** KaTeX's rules go before the panel's, which refine some of them (.katex's size) as they did before. */
function beforePanelStyles(element: HTMLElement): void {
  document.head.insertBefore(element, document.head.querySelector('style, link[rel="stylesheet"]'));
}

function loaded(element: HTMLElement): Promise<void> {
  return new Promise((resolve, reject) => {
    element.addEventListener('load', () => resolve(), { once: true });
    element.addEventListener('error', () => reject(new Error('asset failed to load')), { once: true });
  });
}
