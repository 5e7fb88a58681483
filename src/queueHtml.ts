/**
 * The Audit Queue view's page (VS Code webview; the webview test builds the same page): the
 * panel's page generator and CSP (src/webviewHtml.ts: script by nonce, styles by nonce or the
 * webview's own source, nothing from the network), the panel's stylesheet (theme variables, score
 * bars), KaTeX loaded after the first paint as the panel does, the queue's own styles, and the
 * script that fills `#queue-app` (webview/queue/).
 */
import { type PanelHtmlOptions, panelHtml } from './webviewHtml.js';

export const QUEUE_CSS = `
body { padding: 0 12px 24px; }
.q-page { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; }
@media (min-width: 760px) {
  .q-page { grid-template-columns: minmax(0, 1fr) minmax(220px, 32%); align-items: start; }
  .q-rubric { position: sticky; top: 0; max-height: 100vh; overflow: auto; }
}
.q-main { min-width: 0; max-width: 860px; }
.q-top { position: sticky; top: 0; z-index: 2; background: var(--bg); padding: 8px 0 6px; border-bottom: 1px solid var(--border); }
.q-progress { font-size: 1.05em; }
.q-bar { height: 6px; margin: 4px 0; background: var(--hover); border: 1px solid var(--contrast); border-radius: 3px; overflow: hidden; }
.q-bar > span { display: block; height: 100%; background: var(--green); }
.q-others { font-size: 0.92em; }
.q-filters { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; font-size: 0.92em; }
.q-filters select { font: inherit; color: var(--fg); background: var(--vscode-dropdown-background, var(--bg)); border: 1px solid var(--vscode-dropdown-border, var(--border)); max-width: 14em; }
.q-only, .q-filter { white-space: nowrap; }
/* The order's select where there is room; in a side bar g switches it and a tag names a chosen one. */
.q-order-tag { display: none; }
@media (max-width: 520px) {
  .q-order-choice { display: none; }
  .q-order-tag { display: inline; }
}
.q-alert { margin: 8px 0; padding: 6px 8px; background: var(--warn-bg); border: 1px solid var(--red); }
.q-alert ul { margin: 4px 0; padding-left: 18px; }
.q-retry { font: inherit; margin-left: 4px; }
.q-item { padding: 8px 0; }
.q-facts { font-size: 0.9em; overflow-wrap: anywhere; }
.q-why { font-size: 1.05em; margin: 2px 0 8px; }
.q-problem h3, .q-rubric h3, .q-help h3 { margin: 0 0 2px; color: var(--muted); font-size: 0.85em; }
.q-problem-text { max-height: 9em; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; padding: 4px 6px; border-left: 3px solid var(--border); }
/* A problem longer than its box says so: a shadow at the box's foot while more lies below. */
.q-problem-text { background: linear-gradient(transparent, var(--bg) 70%) center bottom / 100% 16px no-repeat local, radial-gradient(farthest-side at 50% 100%, rgba(0, 0, 0, 0.25), transparent) center bottom / 100% 8px no-repeat scroll; }
.q-context { margin: 10px 0 6px; }
.q-step { padding: 4px 8px; border-left: 3px solid transparent; white-space: pre-wrap; overflow-wrap: anywhere; }
/* The context steps fade, their first-error tags do not: a faded red tag read at 2.6–2.9:1. */
.q-step.before > .step-text, .q-step.after > .step-text, .q-step.before .q-step-no, .q-step.after .q-step-no { opacity: 0.62; }
.q-step.after { border-left-color: var(--border); }
.q-step.current { opacity: 1; background: var(--warn-bg); border-left-color: var(--warn-border); padding-top: 6px; padding-bottom: 6px; font-size: 1.04em; }
.q-step-head { display: flex; flex-wrap: wrap; gap: 0 8px; font-size: 0.85em; color: var(--muted); white-space: normal; }
.q-step.current .q-step-no, .q-here { color: var(--fg); font-weight: 600; }
.q-here { text-transform: uppercase; letter-spacing: 0.04em; font-size: 0.9em; }
.q-marks { color: color-mix(in srgb, var(--red) 65%, var(--fg)); }
.q-earlier summary { cursor: pointer; color: var(--muted); font-size: 0.9em; padding: 2px 8px; }
.q-scores { max-width: none; grid-template-columns: minmax(3em, max-content) minmax(4em, 1fr) 3.2em; }
.q-scores .score-facts { grid-column: 2 / -1; color: var(--muted); font-size: 0.92em; margin: -2px 0 4px; }
.q-answers { display: flex; flex-wrap: wrap; gap: 2px 16px; margin: 6px 0; }
.q-label { margin: 8px 0; padding: 4px 8px; border: 1px solid var(--border); border-radius: 3px; }
.q-label[data-saved="saved"] { border-color: var(--green); }
.q-label[data-saved="failed"] { border-color: var(--red); }
.q-unsaved { color: var(--muted); }
.q-unsaved.failed { color: var(--red); font-weight: 600; }
.q-saved { color: var(--green); }
.q-label[data-conflict="yes"] { border-color: var(--warn-border); }
.q-conflict { margin-top: 2px; }
/* Scrolled to, the item stops short of the pinned header and key bar (heights set by the view). */
.q-main > :not(.q-top, .q-keys), .q-main > :not(.q-top, .q-keys) * { scroll-margin: var(--q-top-height, 0px) 0 var(--q-keys-height, 0px); }
.q-keys { display: flex; flex-wrap: wrap; gap: 4px 12px; padding: 6px 0; border-top: 1px solid var(--border); font-size: 0.92em; position: sticky; bottom: 0; background: var(--bg); z-index: 2; }
.q-last { font-size: 0.92em; overflow-wrap: anywhere; }
.q-scores-head { grid-column: 1 / -1; color: var(--muted); font-size: 0.85em; }
/* A narrow side bar: earlier steps but the one just before are cut to two lines (o opens the run). */
@media (max-width: 520px) {
  .q-step.before:not(:has(+ .q-step.current)) .step-text { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
  .q-problem-text { max-height: 6.5em; }
}
.q-key { white-space: nowrap; }
.q-key-short { display: none; }
@media (max-width: 420px) {
  /* The pinned header in a side bar: the tab's title names the dataset; the last action on one line. */
  .q-dataset { display: none; }
  .q-last { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .q-keys { gap: 2px 8px; padding: 4px 0; }
  .q-key-long { display: none; }
  .q-key-short { display: inline; }
}
/* 160–240 px: pinned, the header and the key bar covered a third of the height and more; they
   scroll away with the page, the item's text gets the whole height (? still lists the keys). */
@media (max-width: 240px) {
  body { padding: 0 6px 12px; }
  .q-top, .q-keys { position: static; }
  .q-top { padding-top: 4px; }
}
.q-done { padding: 24px 0; }
.q-rubric { border: 1px solid var(--border); border-radius: 3px; padding: 4px 10px; font-size: 0.95em; }
.q-rubric summary { cursor: pointer; font-weight: 600; padding: 2px 0; }
.q-rubric-body h3, .q-rubric-body h4, .q-rubric-body h5 { margin: 10px 0 4px; font-size: 1em; }
.q-rubric-body p, .q-rubric-body ul, .q-rubric-body ol { margin: 4px 0; }
.q-rubric-body ul, .q-rubric-body ol { padding-left: 18px; }
.q-rubric-body pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.q-help { position: fixed; inset: 10% 8% auto; z-index: 5; background: var(--vscode-editorWidget-background, var(--bg)); border: 1px solid var(--border); padding: 10px 14px; box-shadow: 0 2px 8px rgba(0,0,0,0.3); }
.q-help td { padding: 2px 8px 2px 0; vertical-align: top; }
/* Notes on the item's step (queue notes): others' notes named, the person's own, the field to write one. */
.q-notes { margin: 6px 0; padding: 4px 8px; border-left: 3px solid var(--border); }
.q-notes-head { font-size: 0.85em; }
.q-notes ul { margin: 2px 0; padding-left: 0; list-style: none; }
.q-note { white-space: pre-wrap; overflow-wrap: anywhere; }
.q-note-who { font-weight: 600; }
.q-note-editor { display: flex; gap: 6px; align-items: baseline; }
.q-note-field { flex: 1; min-width: 0; font: inherit; color: var(--fg); background: var(--vscode-input-background, var(--bg)); border: 1px solid var(--vscode-focusBorder, var(--border)); padding: 2px 4px; }
`;

export interface QueuePage {
  nonce: string;
  cspSource?: string;
  /** The dataset's name, titling the page. */
  name: string;
  /** The queue's script and the panel's stylesheet as webview URIs … */
  scriptUri?: string;
  styleUri?: string;
  /** … or inline (the test page). */
  inlineScript?: string;
  inlineStyle?: string;
  /** KaTeX after the first paint, as the panel loads it (src/webviewHtml.ts panelDeferredAssets). */
  deferred?: PanelHtmlOptions['deferred'];
}

/** The panel's page generator and CSP; the queue's own rules go in the body under the page's nonce. */
export function queueHtml(page: QueuePage): string {
  return panelHtml({
    title: `Audit queue · ${page.name}`,
    nonce: page.nonce,
    ...(page.cspSource !== undefined ? { cspSource: page.cspSource } : {}),
    ...(page.scriptUri !== undefined ? { scriptUri: page.scriptUri } : {}),
    ...(page.styleUri !== undefined ? { styleUri: page.styleUri } : {}),
    ...(page.inlineScript !== undefined ? { inlineScript: page.inlineScript } : {}),
    ...(page.inlineStyle !== undefined ? { inlineStyle: page.inlineStyle } : {}),
    ...(page.deferred !== undefined ? { deferred: page.deferred } : {}),
    body: `<style nonce="${page.nonce}">${QUEUE_CSS}</style>
<main id="queue-app" aria-label="Audit queue"></main>`,
  });
}
