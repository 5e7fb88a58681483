/**
 * The panel's HTML page, for the VS Code webview and for the standalone file of `steplens view
 * --html`: one generator, one CSP. Scripts run only with this page's nonce (from crypto, not
 * Math.random: a guessable nonce is no protection); nothing is loaded from the network.
 */
import { randomBytes } from 'node:crypto';

export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/** A deferred asset's script and stylesheet: URIs, or the code when the page inlines them. */
export interface DeferredAsset {
  script?: string;
  style?: string;
}

/**
 * The panel's deferred assets (webview/lazyAssets.ts names them) from the files in dist/: `file`
 * turns a file name into what the page carries — a webview URI, or the file's text for a page that
 * inlines them (the standalone page, whose KaTeX stylesheet has its fonts inlined).
 */
export function panelDeferredAssets(
  file: (name: string) => string,
  inline: boolean,
): { inline: boolean; assets: Record<string, DeferredAsset> } {
  return {
    inline,
    assets: {
      katex: { script: file('katex.js'), style: file(inline ? 'standalone-katex.css' : 'katex.css') },
      validators: { script: file('validators.js') },
      select: { script: file('select.js') },
    },
  };
}

/**
 * Outside VS Code (the standalone pages, the tests) the @vscode-elements fields and selects would
 * fall back to the library's dark colours on any page: these are VS Code's Modern themes' values.
 * In VS Code its own variables, set on <html>, win. One list for every page with a field; the
 * panel's other theme defaults (its standalone page: colours, buttons, badges) are media/panel.css's,
 * which only the panel loads.
 */
export const FIELD_THEME_DEFAULTS = `
:root {
  --vscode-settings-textInputBackground: #ffffff;
  --vscode-settings-textInputForeground: #3b3b3b;
  --vscode-settings-textInputBorder: #cecece;
  --vscode-input-placeholderForeground: #767676;
  --vscode-settings-dropdownBackground: #ffffff;
  --vscode-settings-dropdownForeground: #3b3b3b;
  --vscode-settings-dropdownBorder: #cecece;
  --vscode-settings-dropdownListBorder: #cecece;
  --vscode-list-activeSelectionBackground: #e8e8e8;
  --vscode-list-activeSelectionForeground: #000000;
}
@media (prefers-color-scheme: dark) {
  :root {
    --vscode-settings-textInputBackground: #313131;
    --vscode-settings-textInputForeground: #cccccc;
    --vscode-settings-textInputBorder: #3c3c3c;
    --vscode-input-placeholderForeground: #989898;
    --vscode-settings-dropdownBackground: #313131;
    --vscode-settings-dropdownForeground: #cccccc;
    --vscode-settings-dropdownBorder: #3c3c3c;
    --vscode-settings-dropdownListBorder: #454545;
    --vscode-list-activeSelectionBackground: #04395e;
    --vscode-list-activeSelectionForeground: #ffffff;
  }
}
`;

export interface PanelHtmlOptions {
  title: string;
  nonce: string;
  /** VS Code's `webview.cspSource`; absent for the standalone page. */
  cspSource?: string;
  /** External script and stylesheet (VS Code) … */
  scriptUri?: string;
  styleUri?: string;
  /** … or inline ones (standalone). */
  inlineScript?: string;
  inlineStyle?: string;
  /**
   * What the panel loads after its first paint (webview/lazyAssets.ts: KaTeX, zod), by name: the
   * URIs of files beside the bundle (VS Code) or the code itself (standalone), kept inert until
   * the panel asks for them.
   */
  deferred?: { inline: boolean; assets: Record<string, DeferredAsset> };
  /**
   * Data embedded in the page (the standalone view's run, a report), as scriptSafeJson wrote it: a
   * caller that needs the text too (the prerendered first frame) serializes a 4 MB run once.
   */
  embedded?: ScriptSafeJson;
  /**
   * The page's body, already built with every piece of data escaped (the dataset report's page,
   * which needs no script); default the panel's empty `#app`.
   */
  body?: string;
  /**
   * The panel's first frame, drawn where the page is made (webview/prerender/main.ts): the page's
   * `#app` element as markup. With it the inline script runs after the page's first paint, which
   * then waits for no script; the script draws the same frame over it and takes over.
   */
  prerendered?: string;
  /** false for a page without fields or selects (the dataset report): FIELD_THEME_DEFAULTS are left out. */
  fieldDefaults?: boolean;
}

/**
 * A page script that runs `work` (statements) once, in a task after the page's first contentful
 * paint, or after `fallbackMs` when nothing is painted (a page opened in a background tab). `work`
 * may use `nonce`, the nonce of this script (read while it runs: `document.currentScript` is gone
 * by the time `work` runs).
 */
export function afterFirstPaintScript(work: string, fallbackMs: number): string {
  return `(() => {
  const nonce = document.currentScript ? document.currentScript.nonce : '';
  let done = false;
  const observer = new PerformanceObserver((list) => {
    if (list.getEntriesByName('first-contentful-paint').length > 0) setTimeout(run);
  });
  const timer = setTimeout(run, ${fallbackMs});
  function run() {
    if (done) return;
    done = true;
    observer.disconnect();
    clearTimeout(timer);
${work}
  }
  observer.observe({ type: 'paint', buffered: true });
})();`;
}

/** The name of the panel's own script among the deferred assets of a page that carries its first frame. */
const PANEL_ASSET = 'panel';

/** Runs the panel's script, kept inert in the page's deferred assets, under the page's nonce. */
const RUN_PANEL_SCRIPT = afterFirstPaintScript(
  `    const code = document.getElementById('steplens-deferred')?.content.querySelector('script[data-asset="${PANEL_ASSET}"]')?.textContent;
    if (!code) return;
    const script = document.createElement('script');
    script.nonce = nonce;
    script.textContent = code;
    document.body.append(script);`,
  1000,
);

export function contentSecurityPolicy(options: Pick<PanelHtmlOptions, 'nonce' | 'cspSource'>): string {
  const own = options.cspSource ? ` ${options.cspSource}` : '';
  return [
    "default-src 'none'",
    `script-src 'nonce-${options.nonce}'`,
    `style-src-elem${own} 'nonce-${options.nonce}'`,
    // KaTeX positions glyphs with style attributes; attributes cannot carry script.
    "style-src-attr 'unsafe-inline'",
    `font-src${own} data:`,
    `img-src${own} data:`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON text made safe to sit inside a <script> element by scriptSafeJson, and only by it. */
export type ScriptSafeJson = string & { readonly scriptSafe: unique symbol };

/** JSON that can sit inside a <script> element: no "</script", no HTML comment openers. */
export function scriptSafeJson(value: unknown): ScriptSafeJson {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029') as ScriptSafeJson;
}

function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);
}

export function panelHtml(options: PanelHtmlOptions): string {
  const { nonce } = options;
  const fieldDefaults =
    options.fieldDefaults === false ? '' : `<style nonce="${nonce}">${FIELD_THEME_DEFAULTS}</style>\n`;
  const style = options.styleUri
    ? `${fieldDefaults}<link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(options.styleUri)}">`
    : `${fieldDefaults}<style nonce="${nonce}">${inlineSafe(options.inlineStyle ?? '', 'style')}</style>`;
  const data =
    options.embedded === undefined
      ? ''
      : `<script type="application/json" id="steplens-data">${options.embedded}</script>`;
  // A page with its first frame drawn runs the panel's script after that frame is painted.
  const afterPaint = options.prerendered !== undefined && options.inlineScript !== undefined;
  const script = options.scriptUri
    ? `<script nonce="${nonce}" src="${escapeHtml(options.scriptUri)}"></script>`
    : options.inlineScript === undefined
      ? ''
      : afterPaint
        ? `<script nonce="${nonce}">${RUN_PANEL_SCRIPT}</script>`
        : `<script nonce="${nonce}">${inlineSafe(options.inlineScript, 'script')}</script>`;
  const deferred =
    afterPaint && options.deferred
      ? {
          ...options.deferred,
          assets: { ...options.deferred.assets, [PANEL_ASSET]: { script: options.inlineScript } },
        }
      : options.deferred;
  const assets =
    deferred === undefined
      ? ''
      : deferred.inline
        ? // Inert until the panel copies a part into a nonce'd element: the parser only scans it.
          `<template id="steplens-deferred">${Object.entries(deferred.assets)
            .map(
              ([name, asset]) =>
                (asset.style === undefined
                  ? ''
                  : `<style data-asset="${escapeHtml(name)}">${inlineSafe(asset.style, 'style')}</style>`) +
                (asset.script === undefined
                  ? ''
                  : `<script data-asset="${escapeHtml(name)}">${inlineSafe(asset.script, 'script')}</script>`),
            )
            .join('')}</template>`
        : `<script type="application/json" id="steplens-deferred">${scriptSafeJson(deferred.assets)}</script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(options))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
${style}
</head>
<body>
${options.body ?? options.prerendered ?? '<div id="app"></div>'}
${data}
${afterPaint ? `${assets}\n${script}` : `${script}\n${assets}`}
</body>
</html>
`;
}
