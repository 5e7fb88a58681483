/**
 * The adjudication view's page (VS Code webview; the webview test builds the same page): an empty
 * `#adjudicate-app` filled by webview/adjudicate/, under the panel's CSP (script by nonce, inline
 * style by nonce, nothing remote). Colours are VS Code's theme variables, with fallbacks for the
 * test page in light and dark.
 */
import { type PanelHtmlOptions, panelHtml } from './webviewHtml.js';

export const ADJUDICATE_CSS = `
:root {
  color-scheme: light dark;
  --fg: var(--vscode-editor-foreground, #1f2328);
  --bg: var(--vscode-editor-background, #ffffff);
  --muted: var(--vscode-descriptionForeground, #59636e);
  --border: var(--vscode-panel-border, #d0d7de);
  --focus-bg: var(--vscode-editor-lineHighlightBackground, rgba(31, 111, 197, 0.08));
  --accent: var(--vscode-focusBorder, #1f6fc5);
  --ok: var(--vscode-testing-iconPassed, #2a8a2a);
  --bad: var(--vscode-errorForeground, #c4312b);
  --code-bg: var(--vscode-textCodeBlock-background, rgba(128, 128, 128, 0.12));
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: var(--vscode-editor-foreground, #e6edf3);
    --bg: var(--vscode-editor-background, #1e1e1e);
    --muted: var(--vscode-descriptionForeground, #9da7b3);
    --border: var(--vscode-panel-border, #3d444d);
    --focus-bg: var(--vscode-editor-lineHighlightBackground, rgba(88, 166, 255, 0.12));
    --accent: var(--vscode-focusBorder, #58a6ff);
    --ok: var(--vscode-testing-iconPassed, #56d364);
    --bad: var(--vscode-errorForeground, #ff7b72);
  }
}
body.vscode-light { color-scheme: light; }
body.vscode-dark, body.vscode-high-contrast { color-scheme: dark; }
body {
  margin: 0; padding: 12px 20px 32px;
  font: 13px/1.45 var(--vscode-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif);
  color: var(--fg); background: var(--bg);
}
[hidden] { display: none !important; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 16px; margin-bottom: 12px; }
h1 { font-size: 1.25em; margin: 0; overflow-wrap: anywhere; }
.progress { font-weight: 600; }
.muted { color: var(--muted); }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(180px, 260px); gap: 20px; align-items: start; }
@media (max-width: 640px) { .layout { grid-template-columns: minmax(0, 1fr); } }
.item { border: 1px solid var(--border); border-left: 4px solid var(--accent); border-radius: 4px; padding: 10px 14px; }
.item.settled { border-left-color: var(--ok); }
.item-head { display: flex; justify-content: space-between; gap: 12px; flex-wrap: wrap; color: var(--muted); }
.item-head .state { font-weight: 600; }
.item-head .state.open { color: var(--accent); }
.item-head .state.settled { color: var(--ok); }
.problem { white-space: pre-wrap; overflow-wrap: anywhere; margin: 8px 0; max-height: 8em; overflow: auto; }
.values { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; }
.value { display: flex; align-items: baseline; gap: 8px; border: 1px solid var(--border); border-radius: 4px; padding: 6px 12px; min-width: 140px; }
.value .who { color: var(--muted); overflow-wrap: anywhere; }
.value .what { font-weight: 600; font-size: 1.15em; margin-left: auto; }
.value .word { color: var(--muted); font-size: 0.92em; }
.value.chosen { border-color: var(--ok); box-shadow: inset 0 0 0 1px var(--ok); }
.step { border-radius: 4px; padding: 6px 10px; margin-top: 6px; }
.step.context { color: var(--muted); }
.step.focus { background: var(--focus-bg); outline: 1px solid var(--accent); }
.step-head { display: flex; justify-content: space-between; gap: 12px; font-size: 0.92em; color: var(--muted); }
.step-index { font-weight: 600; }
.step-text { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: 2px; }
.judge-verdicts { margin: 4px 0; }
kbd {
  font: 0.92em var(--vscode-editor-font-family, ui-monospace, monospace); background: var(--code-bg);
  border: 1px solid var(--border); border-radius: 3px; padding: 0 5px;
}
.status { min-height: 1.45em; margin: 10px 0 4px; font-weight: 600; }
.status.saving { color: var(--muted); }
.status.saved { color: var(--ok); }
.status.failed { color: var(--bad); }
.legend { display: grid; grid-template-columns: max-content 1fr; gap: 3px 12px; margin: 8px 0 0; color: var(--muted); }
.legend dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.main { min-width: 0; }
/* A 160–320 px side bar: the legend's two columns left its words a few pixels each, past the
   view's edge; each key goes above what it does. The values' minimum width spilled them too. */
@media (max-width: 320px) {
  body { padding: 8px 8px 24px; }
  .layout { gap: 12px; }
  .item { padding: 8px; }
  .value { min-width: 0; flex: 1 1 100%; flex-wrap: wrap; gap: 0 8px; padding: 4px 8px; }
  .legend { grid-template-columns: minmax(0, 1fr); gap: 0; }
  .legend dd { margin: 0 0 6px 1em; }
}
ol.items { list-style: none; margin: 0; padding: 0; max-height: 70vh; overflow: auto; border: 1px solid var(--border); border-radius: 4px; }
ol.items li { padding: 3px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: var(--muted); }
ol.items li.open { color: var(--fg); }
ol.items li.failed { color: var(--bad); }
ol.items li.focused { background: var(--focus-bg); outline: 1px solid var(--accent); outline-offset: -1px; }
`;

export interface AdjudicatePage {
  nonce: string;
  cspSource?: string;
  /** The view's script: a webview URI, or inline (the test page). */
  scriptUri?: string;
  inlineScript?: string;
  /** KaTeX after the first paint, as the panel and the queue load it (src/webviewHtml.ts panelDeferredAssets). */
  deferred?: PanelHtmlOptions['deferred'];
  title: string;
}

export function adjudicateHtml(page: AdjudicatePage): string {
  return panelHtml({
    title: `StepLens adjudication · ${page.title}`,
    nonce: page.nonce,
    ...(page.cspSource !== undefined ? { cspSource: page.cspSource } : {}),
    ...(page.scriptUri !== undefined ? { scriptUri: page.scriptUri } : {}),
    ...(page.inlineScript !== undefined ? { inlineScript: page.inlineScript } : {}),
    inlineStyle: ADJUDICATE_CSS,
    ...(page.deferred !== undefined ? { deferred: page.deferred } : {}),
    body: '<main id="adjudicate-app" tabindex="-1"></main>',
  });
}
