/**
 * The Dataset Report view's page (VS Code webview; the webview test builds the same page): the
 * report's own script-free body (src/reportHtml.ts: plots and tables, every value escaped) with
 * the problems table's section after the title, filled by the view's script (webview/report/).
 * The panel's CSP: the script runs by nonce, the style is inline with the nonce.
 */
import type { DatasetReport } from './core/datasetReport.js';
import { datasetReportBody, REPORT_CSS } from './reportHtml.js';
import { escapeHtml, panelHtml } from './webviewHtml.js';

export const PROBLEMS_CSS = `
/* The links and marks of the table get a lighter colour on a dark page (the filter field's colours: FIELD_THEME_DEFAULTS). */
:root {
  --link: var(--vscode-textLink-foreground, #1f6fc5);
  --right: var(--vscode-testing-iconPassed, #2a8a2a);
  --wrong: var(--vscode-testing-iconFailed, #d1342f);
}
@media (prefers-color-scheme: dark) {
  :root {
    --link: var(--vscode-textLink-foreground, #4daafc);
    --right: var(--vscode-testing-iconPassed, #73c991);
    --wrong: var(--vscode-testing-iconFailed, #f48771);
  }
}
#problems table.problems { content-visibility: visible; contain-intrinsic-size: none; }
.problems-filter vscode-textfield { width: min(360px, 100%); }
table.problems td.pass, table.problems td.disagreements { text-align: right; }
table.problems td.pick { text-align: center; }
table.problems td.pick.right { color: var(--right); }
table.problems td.pick.wrong { color: var(--wrong); }
table.problems tbody tr { cursor: pointer; }
table.problems tbody tr:hover { background: var(--vscode-list-hoverBackground, var(--stripe)); }
table.problems tbody tr:focus-within { background: var(--vscode-list-activeSelectionBackground, var(--stripe)); color: var(--vscode-list-activeSelectionForeground, inherit); }
/* The problem's cell stays in view when the table scrolls (opaque): its row's highlight laid over the page's colour. */
table.problems tbody tr:hover td:first-child { background: linear-gradient(var(--vscode-list-hoverBackground, var(--stripe)), var(--vscode-list-hoverBackground, var(--stripe))) var(--bg); }
table.problems tbody tr:focus-within td:first-child { background: linear-gradient(var(--vscode-list-activeSelectionBackground, var(--stripe)), var(--vscode-list-activeSelectionBackground, var(--stripe))) var(--bg); }
table.problems th { padding: 0; }
table.problems button {
  font: inherit; color: inherit; background: none; border: 0; padding: 3px 8px; cursor: pointer; text-align: inherit;
}
table.problems button.sort { width: 100%; font-weight: 600; }
table.problems button.open { color: var(--link); padding: 0; text-decoration: underline; }
table.problems button:focus-visible { outline: 1px solid var(--vscode-focusBorder, #1f6fc5); outline-offset: -1px; }
`;

export interface ReportViewPage {
  nonce: string;
  cspSource?: string;
  /** The view's script: a webview URI, or inline (the test page). */
  scriptUri?: string;
  inlineScript?: string;
  /** The folder's name, titling the page (and picking the paper's numbers). */
  name: string;
  /** null: the folder has no readable report yet; `problem` says why. */
  report: DatasetReport | null;
  problem?: string;
}

export function reportViewHtml(page: ReportViewPage): string {
  const title = `StepLens report · ${page.name}`;
  const problems = `<section id="problems" aria-labelledby="problems-heading">
<h2 id="problems-heading">Problems</h2>
<p class="muted">A click (or Enter) on a problem opens its run in the StepLens panel at its first disagreement: the first sample where Self-PRM and a PRM name different first errors (one calling it correct and the other not included), at the earlier of the two. Disagreements counts those samples; a pick column says whether that reranker's pick with all samples is right. Click a column to sort; type to filter.</p>
<p id="problems-status" class="muted" role="status"></p>
<div id="problems-app"></div>
</section>`;
  let body: string;
  if (page.report === null) {
    body = `<h1>StepLens dataset report: ${escapeHtml(page.name)}</h1>\n<p class="warn">${escapeHtml(page.problem ?? 'No report yet.')}</p>`;
  } else {
    const report = datasetReportBody(page.report, page.name);
    // The report's title first, then the problems table, then the figures.
    const cut = report.indexOf('</h1>') + '</h1>'.length;
    body = `${report.slice(0, cut)}\n${problems}\n${report.slice(cut)}`;
  }
  return panelHtml({
    title,
    nonce: page.nonce,
    ...(page.cspSource !== undefined ? { cspSource: page.cspSource } : {}),
    ...(page.scriptUri !== undefined ? { scriptUri: page.scriptUri } : {}),
    ...(page.inlineScript !== undefined ? { inlineScript: page.inlineScript } : {}),
    inlineStyle: `${REPORT_CSS}\n${PROBLEMS_CSS}`,
    body: `<main>${body}</main>`,
  });
}
