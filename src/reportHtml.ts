/**
 * `report.html`: the dataset report as one self-contained page — offline, the panel's CSP
 * (src/webviewHtml.ts), light and dark by prefers-color-scheme or by VS Code's theme variables
 * when shown in a webview. Its one script (REST_SCRIPT, by nonce) only moves the sections below
 * the first screen into the page after the first paint; every figure and table is markup. The plots are SVG built in core (src/core/svgPlot.ts); the tables are
 * built here; every piece of data is escaped. The report itself is embedded as JSON
 * (`#steplens-data`, escaped against `</script>`) for whoever wants the numbers back.
 *
 * The compare page (`steplens report DIR… --out OUT`) uses the same pieces: per method, the
 * folders' curves overlaid; the table of differences at k_max on the shared problems; the
 * problems where the folders disagree most.
 */
import { basename, resolve } from 'node:path';
import { accuracyNoData, type DatasetReport } from './core/datasetReport.js';
import type { EvaluationReport } from './core/evaluation.js';
import {
  PAPER_METHODS,
  type PaperModel,
  type PaperPoint,
  paperDataset,
  paperModel,
  paperPoints,
} from './core/paperTables.js';
import type { Comparison } from './core/reportCompare.js';
import { SELF_JUDGE_ID } from './core/rerank.js';
import { identParts } from './core/rerankCurves.js';
import {
  barChart,
  element,
  escapeXml,
  type LineSeries,
  lineChart,
  lineChartDetailed,
  percentDomain,
  type ReferencePoint,
  reliabilityDiagram,
  SMALLEST_TEXT_PX,
} from './core/svgPlot.js';
import { afterFirstPaintScript, createNonce, panelHtml, scriptSafeJson } from './webviewHtml.js';

/** s11 is the neutral colour (paper points with no matching method). */
const NEUTRAL = 11;
const DASHES = [undefined, '6 4', '2 3', '10 3 2 3'];

export const REPORT_CSS = `
/*
 * Off-screen figures and tables are laid out when scrolled to: the first paint is the top of the page.
 * Not in the dataset report's first section, which is on screen: content-visibility there would only
 * add a second layout pass before the first paint. Its later sections are skipped whole.
 */
figure, table, details { content-visibility: auto; contain-intrinsic-size: auto 480px; }
section.lead figure, section.lead table { content-visibility: visible; contain-intrinsic-size: none; }
section.later { content-visibility: auto; contain-intrinsic-size: auto 640px; }
:root {
  color-scheme: light dark;
  --fg: var(--vscode-editor-foreground, #1f2328);
  --bg: var(--vscode-editor-background, #ffffff);
  --muted: var(--vscode-descriptionForeground, #59636e);
  --border: var(--vscode-panel-border, #d0d7de);
  --grid: rgba(128, 128, 128, 0.25);
  --stripe: rgba(128, 128, 128, 0.08);
  --warn: var(--vscode-editorWarning-foreground, #9a6700);
  --p0: #1f6fc5; --p1: #d1342f; --p2: #2a8a2a; --p3: #8250c4; --p4: #e07000; --p5: #8c564b;
  --p6: #c2409b; --p7: #0f8a9d; --p8: #8a8a00; --p9: #3b3f9e; --p10: #5a7d00; --p11: #6e7781;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: var(--vscode-editor-foreground, #e6edf3);
    --bg: var(--vscode-editor-background, #1e1e1e);
    --muted: var(--vscode-descriptionForeground, #9da7b3);
    --border: var(--vscode-panel-border, #3d444d);
    --warn: var(--vscode-editorWarning-foreground, #e3b341);
    --p0: #58a6ff; --p1: #ff7b72; --p2: #56d364; --p3: #d2a8ff; --p4: #ffa657; --p5: #e0b48a;
    --p6: #ff8ed4; --p7: #39d0e0; --p8: #e3d35a; --p9: #a5b4ff; --p10: #a8e05f; --p11: #9da7b3;
  }
}
body.vscode-light { color-scheme: light; }
body.vscode-dark, body.vscode-high-contrast { color-scheme: dark; }
body {
  margin: 0 auto; padding: 16px 24px 48px; max-width: 1200px;
  font: 13px/1.45 var(--vscode-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif);
  color: var(--fg); background: var(--bg);
}
h1 { font-size: 20px; margin: 8px 0; overflow-wrap: anywhere; }
@media (max-width: 480px) {
  body { padding: 8px 10px 32px; }
  h1 { font-size: 17px; }
  h2 { font-size: 15px; }
}
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--border); padding-bottom: 4px; }
h2 { overflow-wrap: break-word; }
h3 { font-size: 14px; margin: 18px 0 6px; overflow-wrap: break-word; }
p, li { max-width: 80ch; }
.muted, figcaption { color: var(--muted); }
.warn { color: var(--warn); font-weight: 600; }
.no-data { border: 1px dashed var(--border); padding: 24px 16px; margin: 8px 0 16px; max-width: 620px; }
figure { margin: 8px 0 16px; }
.figures > figure { min-width: 0; max-width: 100%; }
figcaption { font-size: 12px; max-width: 90ch; }
.figures { display: flex; flex-wrap: wrap; gap: 8px 24px; }
table { border-collapse: collapse; margin: 6px 0 14px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--border); padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: var(--stripe); }
td:first-child, th:first-child { text-align: left; }
tr.reference td { color: var(--muted); font-style: italic; }
/*
 * A table or plot wider than the page scrolls in its own box; a shadow at an edge says there is more
 * beyond it (the covers scroll with the content and hide the shadow at its ends).
 */
.table-scroll, .plot-scroll {
  overflow-x: auto;
  background:
    linear-gradient(to right, var(--bg) 30%, transparent) left / 32px 100% no-repeat local,
    linear-gradient(to left, var(--bg) 30%, transparent) right / 32px 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(128, 128, 128, 0.5), transparent) left / 12px 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(128, 128, 128, 0.5), transparent) right / 12px 100% no-repeat scroll;
}
/*
 * Each row's name (the first column) stays in view while the rest of a wide table scrolls under it;
 * opaque, so what passes beneath does not show through. Once the table is scrolled (a scroll-driven
 * animation: none in a box that does not scroll) the column casts a shadow over what passes under it.
 */
.table-scroll td:first-child, .table-scroll th:first-child {
  position: sticky; left: 0; z-index: 1; background: var(--bg);
  animation: name-column-edge linear both;
  animation-timeline: scroll(x nearest);
}
@keyframes name-column-edge {
  from { box-shadow: none; }
  2%, to { box-shadow: inset -1px 0 0 var(--border), 4px 0 5px -3px rgba(0, 0, 0, 0.45); }
}
.table-scroll th:first-child { background: linear-gradient(var(--stripe), var(--stripe)) var(--bg); }
@media (max-width: 480px) {
  /* A long problem id wraps (within a word if it must) rather than take the whole box. */
  .table-scroll td:first-child { white-space: normal; overflow-wrap: anywhere; min-width: 8em; }
}
/* A method's or judge's name (identMarkup) wraps only between its parts, at any width; its column is as wide as the longest. */
.table-scroll td.ident, .table-scroll th .ident { white-space: normal; overflow-wrap: normal; word-break: keep-all; }
/*
 * Plots shrink to the page's width (a narrow webview), keeping their proportions, but not below the
 * width at which their smallest text is drawn at 10 px (each SVG's min-width, src/core/svgPlot.ts):
 * past that they scroll in their box.
 */
.plot { display: block; font-size: 12px; max-width: 100%; height: auto; }
/* A chart's details (error bars, dots) lie over its base, at the same size. */
.plot-stack { position: relative; max-width: max-content; min-width: min-content; }
.plot-stack .line-chart-detail { position: absolute; left: 0; top: 0; width: 100%; height: 100%; max-width: none; }
.plot text { fill: var(--fg); font-family: inherit; }
.plot .tick, .plot .note { fill: var(--muted); font-size: ${SMALLEST_TEXT_PX}px; }
.plot .axis-label { font-size: 12px; font-weight: 600; }
.plot .axis { stroke: var(--muted); stroke-width: 1; }
.plot .grid { stroke: var(--grid); stroke-width: 1; }
.plot .line { fill: none; stroke: var(--c); stroke-width: 2; }
.plot .errorbar { fill: none; stroke: var(--c); stroke-width: 1.2; }
.plot .dot { fill: var(--c); }
.plot .bar { fill: var(--c); }
.plot .reference { fill: var(--c); stroke: var(--bg); stroke-width: 1; }
.plot .reference.neutral { fill: none; stroke: var(--fg); stroke-width: 1.2; }
/* A reliability diagram's bars in its judge's colour (judgeColours). */
.plot .bin { fill: var(--c); fill-opacity: 0.55; stroke: var(--c); }
.plot .mean-score { fill: var(--fg); }
.plot .ece { font-size: 12px; font-weight: 600; }
.plot .judge-name { font-size: 12px; font-weight: 600; }
.plot .diagonal { stroke: var(--muted); stroke-dasharray: 5 4; stroke-width: 1.2; fill: none; }
/*
 * Where the page is narrower than a chart with its legend (at its right), the legend is listed under
 * the chart as well, so the lines can be read against it without scrolling.
 */
.legend-list { display: none; flex-wrap: wrap; gap: 0 12px; list-style: none; padding: 0; margin: 4px 0 8px; font-size: 12px; }
.legend-list li { display: flex; align-items: center; flex: 1 0 11em; }
.legend-list .ident { overflow-wrap: normal; word-break: keep-all; }
.legend-key { flex: none; margin-right: 6px; }
.legend-key .line { fill: none; stroke: var(--c); stroke-width: 2; }
.legend-key .bar { fill: var(--c); }
.legend-key .reference.neutral { fill: none; stroke: var(--fg); stroke-width: 1.2; }
@media (max-width: 900px) { .legend-list { display: flex; } }
${Array.from({ length: 12 }, (_, i) => `.s${i} { --c: var(--p${i}); }`).join('\n')}
details { margin: 8px 0; }
summary { cursor: pointer; }
`;

const pct = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? '—' : (value * 100).toFixed(digits);

/**
 * A method's or judge's name as markup: its text escaped, a <wbr> after each of its own separators
 * (`-`, `:`), so that a narrow column breaks `prm-best-of-n:prm:product` between its parts and never
 * inside one (`prm-best-of-n:prm:prod` / `uct` reads as two names). With `.ident`'s CSS, which turns
 * off breaking anywhere: the name's column widens to its longest part and the table scrolls. In the
 * legend lists (rows of entries at least 11em wide), an entry is as wide as its longest part.
 * Its text is the name unchanged.
 */
export function identMarkup(name: string): string {
  return identParts(name).map(escapeXml).join('<wbr>');
}

/** A table cell holding a name (identMarkup), rather than text. */
interface IdentCell {
  ident: string;
}

const cellMarkup = (cell: string | IdentCell) =>
  typeof cell === 'string'
    ? `<td>${escapeXml(cell)}</td>`
    : `<td class="ident">${identMarkup(cell.ident)}</td>`;

function table(
  attrs: string,
  head: string[],
  rows: { cells: (string | IdentCell)[]; className?: string; data?: Record<string, string> }[],
): string {
  const th = head.map((cell) => `<th>${escapeXml(cell)}</th>`).join('');
  const body = rows
    .map((row) => {
      const data = Object.entries(row.data ?? {})
        .map(([name, value]) => ` data-${name}="${escapeXml(value)}"`)
        .join('');
      const cls = row.className ? ` class="${escapeXml(row.className)}"` : '';
      return `<tr${cls}${data}>${row.cells.map(cellMarkup).join('')}</tr>`;
    })
    .join('');
  return `<div class="table-scroll"><table ${attrs}><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const p = (text: string, cls?: string) => `<p${cls ? ` class="${cls}"` : ''}>${escapeXml(text)}</p>`;

/**
 * A palette index per judge, in the panel's colours so the two read alike: Self-PRM purple (p3),
 * the first PRM teal-blue (p7), further PRMs colours no method line of the same page takes first.
 */
function judgeColours(judges: readonly string[]): (judge: string) => number {
  const others = [9, 6, 5, 10, 0, 1, 2, 4, 8];
  const prms = judges.filter((judge) => judge !== SELF_JUDGE_ID);
  return (judge) => {
    if (judge === SELF_JUDGE_ID) return 3;
    const i = prms.indexOf(judge);
    return i === 0 ? 7 : others[(i - 1) % others.length]!;
  };
}

/** In place of a plot with nothing to draw: what it would show, and why it has no data. */
const noData = (what: string, why: string) =>
  `<p class="no-data" role="note"><strong>No data</strong> for ${escapeXml(what)}: ${escapeXml(why)}.</p>`;
/**
 * A chart's legend as a list (CSS: shown where the page is narrower than the chart, whose own legend
 * is at its right, scrolled out of view): per entry its key (SVG, built here) and its name, which
 * breaks only between its parts (identMarkup).
 */
function legendList(
  label: string,
  entries: { key: string; name: string; data: Record<string, string> }[],
): string {
  const items = entries.map(({ key, name, data }) => {
    const attrs = Object.entries(data)
      .map(([attr, value]) => ` data-${attr}="${escapeXml(value)}"`)
      .join('');
    const svg = element(
      'svg',
      { class: 'legend-key', viewBox: '0 0 28 10', width: 28, height: 10, 'aria-hidden': 'true' },
      key,
    );
    return `<li${attrs}>${svg}<span class="ident">${identMarkup(name)}</span></li>`;
  });
  return `<ul class="legend-list" aria-label="${escapeXml(label)}">${items.join('')}</ul>`;
}

/** The paper's markers as drawn in the chart (src/core/svgPlot.ts), in a legend key's 28 × 10 box. */
const MARKER_KEY: Record<ReferencePoint['shape'], string> = {
  diamond: 'M14,0 L19,5 L14,10 L9,5 Z',
  square: 'M10,1 h8 v8 h-8 Z',
};

/** A plot in the box it scrolls in when the page is narrower than the plot can shrink. */
const plotBox = (svg: string) => `<div class="plot-scroll">${svg}</div>`;
const figure = (svg: string, caption: string, captionAttrs = '', below = '') =>
  `<figure>${plotBox(svg)}${below}<figcaption${captionAttrs}>${escapeXml(caption)}</figcaption></figure>`;

/**
 * Where the methods are defined: the rules under the chart. A line of its own after the figure, not
 * in its caption, whose Element Timing is the bench's and the tests' "first real content".
 */
const RULES_LINK =
  '<p class="muted">What each method picks: <a href="#rules">how each figure is computed</a>.</p>';

/**
 * Colour per method, in report order (s0 … s10; s11 is neutral); dash by kind: pass@k and oracle
 * (bounds, not rerankers) dotted, the PRM's other aggregations (:last, :product) dashed.
 */
export function methodStyles(
  methods: readonly string[],
): Map<string, { colour: number; dash: string | undefined }> {
  const dash = (method: string) =>
    method === 'pass@k' || method === 'oracle' ? '2 3' : /:(last|product)$/.test(method) ? '7 4' : undefined;
  // Past eleven methods the colours come round again: the second round is dash-dotted.
  return new Map(
    methods.map((method, i) => [
      method,
      { colour: i % NEUTRAL, dash: dash(method) ?? (i >= NEUTRAL ? '10 3 2 3' : undefined) },
    ]),
  );
}

export interface PaperOverlay {
  dataset: string;
  models: PaperModel[];
  /** Points at k ≤ the run's k_max, with the method each is drawn against (null: none in this run). */
  points: (PaperPoint & { method: string | null })[];
  /** Points left out because their k is beyond the run's k_max. */
  beyondKMax: number;
}

/** The paper's numbers for a report named `name`, or null when the name matches no paper dataset. */
export function paperOverlay(report: DatasetReport, name: string): PaperOverlay | null {
  const dataset = paperDataset(name);
  if (!dataset) return null;
  const self = report.judges.find((judge) => judge.id === SELF_JUDGE_ID);
  const model = self ? paperModel(self.model) : null;
  const models: PaperModel[] = model ? [model] : ['QwQ-32B', 'DeepSeek-R1'];
  const prm72 = report.judges.find(
    (judge) =>
      judge.id !== SELF_JUDGE_ID &&
      judge.model
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .includes('qwen25mathprm72b'),
  );
  const kMax = Math.max(...report.reranking.k);
  const all = paperPoints(dataset, models);
  const points = all
    .filter((point) => point.k <= kMax)
    .map((point) => {
      const mapped =
        PAPER_METHODS[point.row]?.method ??
        (prm72 && point.row.startsWith('bon_external_prm') ? `prm-best-of-n:${prm72.id}` : null);
      return { ...point, method: mapped && report.reranking.methods[mapped] ? mapped : null };
    });
  return { dataset, models, points, beyondKMax: all.length - points.length };
}

/** A dataset folder's name: what the page is titled by unless `--name` says otherwise. */
export function folderName(dir: string): string {
  return basename(resolve(dir));
}

const paperGroup = (model: string) => `paper (${model})`;

/**
 * Each method whose curve (means and standard errors at every k) is exactly an earlier method's,
 * with that method: drawn a pixel or two apart, such lines look like one, and a reader would take
 * the hidden method for missing (PRM best-of-n by min, last and product often pick alike).
 */
export function coincidingCurves(
  methods: Record<string, { mean: readonly (number | null)[]; stderr: readonly (number | null)[] }>,
): Map<string, string> {
  const sameAs = new Map<string, string>();
  const names = Object.keys(methods);
  const equal = (a: readonly (number | null)[], b: readonly (number | null)[]) =>
    a.length === b.length && a.every((value, i) => value === b[i]);
  names.forEach((method, i) => {
    const curve = methods[method]!;
    const twin = names
      .slice(0, i)
      .find(
        (earlier) =>
          !sameAs.has(earlier) &&
          equal(methods[earlier]!.mean, curve.mean) &&
          equal(methods[earlier]!.stderr, curve.stderr),
      );
    if (twin !== undefined) sameAs.set(method, twin);
  });
  return sameAs;
}

function accuracySection(
  report: DatasetReport,
  overlay: PaperOverlay | null,
  later: (markup: string) => string,
): string {
  const { reranking } = report;
  const summary = p(
    `${reranking.problems} problem(s) in the figures; excluded: ${reranking.excluded.noReference} without a reference, ${reranking.excluded.noUsableSample} without a usable sample. R = ${reranking.subsets} random subsets per problem and k, seed ${reranking.seed}.`,
    'muted',
  );
  const empty = accuracyNoData(report);
  if (empty !== null)
    return [
      '<h2 id="accuracy">Accuracy against k</h2>',
      summary,
      noData('the accuracy against k', empty),
    ].join('\n');
  const methods = Object.keys(reranking.methods);
  const styles = methodStyles(methods);
  const sameAs = coincidingCurves(reranking.methods);
  const series: LineSeries[] = methods.map((method) => {
    const curve = reranking.methods[method]!;
    const twin = sameAs.get(method);
    return {
      method,
      label: twin === undefined ? method : `${method} (= ${twin})`,
      ...styles.get(method)!,
      points: reranking.k.map((k, i) => ({
        x: k,
        y: (curve.mean[i] ?? 0) * 100,
        err: (curve.stderr[i] ?? 0) * 100,
      })),
    };
  });
  const references: ReferencePoint[] = (overlay?.points ?? []).map((point) => ({
    group: paperGroup(point.model),
    label: `${PAPER_METHODS[point.row]?.label ?? point.row} at k = ${point.k}: ${point.value.toFixed(1)} %${point.method ? ` (drawn against ${point.method})` : ''}`,
    method: point.method,
    colour: point.method ? styles.get(point.method)!.colour : NEUTRAL,
    shape: point.model === 'DeepSeek-R1' ? 'square' : 'diamond',
    x: point.k,
    y: point.value,
  }));
  const { base, detail } = lineChartDetailed({
    title: 'Accuracy against k',
    xLabel: 'k (samples per problem, log₂ scale)',
    yLabel: 'accuracy (%)',
    xs: reranking.k,
    series,
    references,
    dodge: 1.5,
  });
  const overlayNote = overlay
    ? ` Markers: the Self-PRM paper's Table 4 on ${overlay.dataset} (${overlay.models.join(', ')}), in the colour of the method they are drawn against (outlined: no such method in this run; BoN w/ Self-PRM against self-prm).${overlay.beyondKMax > 0 ? ` ${overlay.beyondKMax} paper value(s) at k beyond this run's k_max are not drawn.` : ''}`
    : '';
  const rows = methods.map((method) => {
    const curve = reranking.methods[method]!;
    return {
      cells: [
        { ident: method },
        ...curve.mean.map(
          (value, i) => `${pct(value)}${curve.stderr[i] ? ` ± ${pct(curve.stderr[i])}` : ''}`,
        ),
      ],
      data: { method },
    };
  });
  const paperRows =
    overlay === null
      ? []
      : [...new Set(overlay.points.map((point) => `${point.model}\u0000${point.row}`))].map((key) => {
          const [model, row] = key.split('\u0000') as [string, string];
          return {
            cells: [
              { ident: `${paperGroup(model)}: ${PAPER_METHODS[row]?.label ?? row}` },
              ...reranking.k.map((k) => {
                const point = overlay.points.find(
                  (entry) => entry.model === model && entry.row === row && entry.k === k,
                );
                return point ? point.value.toFixed(1) : '';
              }),
            ],
            className: 'reference',
            data: { reference: paperGroup(model) },
          };
        });
  return [
    '<h2 id="accuracy">Accuracy against k</h2>',
    summary,
    figure(
      // The lines, axes and legend in the first frame; the error bars and dots, laid over them, just
      // after (they are two thirds of the chart's elements and most of its first-frame cost).
      `<div class="plot-stack">${base}${later(detail)}</div>`,
      `Accuracy (%) of each reranking method against the number of samples k. Error bars: ±1 standard error over problems (sd of the per-problem accuracies / √P: how far a value would move on another draw of problems like these); the subset sampling's own error is far smaller (monteCarloStderr in report.json). Methods are shifted a pixel or two apart around each k so that equal values stay visible${sameAs.size > 0 ? '; a method whose curve is another’s at every k is named with it in the legend ("= …")' : ''}.${overlayNote}`,
      // Element Timing: when the caption (after the plot) is painted, the plot is — the page's
      // first real content for `npm run bench` (scripts/bench-report.ts).
      ' elementtiming="first-content"',
      // Shown on a page too narrow for the chart's own legend (CSS); after the first paint.
      later(
        legendList('Legend', [
          ...series.map((line) => ({
            key: element('path', {
              class: `line s${line.colour % 12}`,
              d: 'M0,5 h28',
              'stroke-dasharray': line.dash,
            }),
            name: line.label,
            data: { method: line.method },
          })),
          ...[...new Map(references.map((ref) => [ref.group, ref.shape])).entries()].map(
            ([group, shape]) => ({
              key: element('path', { class: 'reference neutral', d: MARKER_KEY[shape] }),
              name: group,
              data: { reference: group },
            }),
          ),
        ]) + RULES_LINK,
      ),
    ),
    // The same numbers as the plot: after the first paint, whose raster it would make a fifth dearer.
    later(
      table(
        'id="table-accuracy"',
        ['method', ...reranking.k.map((k) => `k=${k} (%)`)],
        [...rows, ...paperRows],
      ),
    ),
  ].join('\n');
}

function precisionSection(report: DatasetReport): string {
  const judges = Object.keys(report.precision);
  if (judges.length === 0) return '';
  const first = report.precision[judges[0]!]!;
  const colourOf = judgeColours(report.judges.map((judge) => judge.id));
  const chart = barChart({
    title: 'Precision of "correct" by difficulty',
    xLabel: 'difficulty: pass@1 of the problem (share of right samples)',
    yLabel: 'precision (%)',
    categories: first.buckets.map((bucket) => bucket.label),
    groups: judges.map((judge) => {
      const figures = report.precision[judge]!;
      return {
        key: judge,
        label: judge,
        colour: colourOf(judge),
        values: figures.buckets.map((bucket) => (bucket.precision === null ? null : bucket.precision * 100)),
        notes: figures.buckets.map((bucket) => (bucket.sPrm > 0 ? `${bucket.sTp}/${bucket.sPrm}` : '')),
      };
    }),
  });
  const empty = accuracyNoData(report);
  const legend = legendList(
    'Legend',
    judges.map((judge) => ({
      key: element('rect', { class: `bar s${colourOf(judge)}`, x: 0, y: 0, width: 28, height: 10 }),
      name: judge,
      data: { judge },
    })),
  );
  const parts = [
    '<h2 id="precision">Precision of "correct" on hard problems</h2>',
    empty !== null
      ? noData('the precision by difficulty', empty)
      : figure(
          chart,
          'Per judge: of the samples it calls correct (no first error at its τ), the share with a right answer (S_TP/S_PRM above each bar), by problem difficulty in fifths of pass@1; "—": it called none correct there.',
          '',
          legend,
        ),
  ];
  // No problem counted: no per-judge figures either ("no hard problem" would be a claim).
  for (const judge of empty !== null ? [] : judges) {
    const figures = report.precision[judge]!;
    parts.push(
      `<h3>${identMarkup(judge)}: hard problems (pass@1 ≤ ${escapeXml(pct(figures.difficulty))} %)</h3>`,
      p(
        `Overall: ${figures.overall.sTp} of ${figures.overall.sPrm} samples called correct are right (${pct(figures.overall.precision)} %).`,
      ),
      figures.problems.length === 0
        ? p('No hard problem.', 'muted')
        : collapsedWhenLong(
            figures.problems.length,
            `${figures.problems.length} hard problems, one row each`,
            table(
              `class="precision" data-judge="${escapeXml(judge)}"`,
              [
                'problem',
                'right of n',
                'called correct (S_PRM)',
                'right among them (S_TP)',
                'precision (%)',
                'no verdict',
              ],
              figures.problems.map((entry) => ({
                cells: [
                  entry.problemId,
                  `${entry.correctOfN} of ${entry.n}`,
                  String(entry.sPrm),
                  String(entry.sTp),
                  pct(entry.precision),
                  String(entry.unjudged),
                ],
                data: { problem: entry.problemId },
              })),
            ),
          ),
    );
  }
  return parts.join('\n');
}

/** Rows a reader scrolls past rather than reads: folded beyond this many. */
const ROWS_SHOWN = 30;

/** A long table folded under a summary (closed), so the page opens on the figures. */
function collapsedWhenLong(rows: number, summary: string, html: string): string {
  return rows <= ROWS_SHOWN ? html : `<details><summary>${escapeXml(summary)}</summary>${html}</details>`;
}

function calibrationSection(report: DatasetReport): string {
  const judges = Object.keys(report.calibration);
  if (judges.length === 0) return '';
  const colourOf = judgeColours(report.judges.map((judge) => judge.id));
  const diagrams = judges.map((judge) => {
    const result = report.calibration[judge]!;
    const plot =
      result.samples === 0
        ? noData(
            `${judge}'s reliability`,
            'no sample has both a solution score from this judge and an answer known right or wrong',
          )
        : plotBox(
            reliabilityDiagram({
              title: `Reliability: ${judge}`,
              judge,
              bins: result.bins,
              ece: result.ece,
              colour: colourOf(judge),
            }),
          );
    return `<figure data-judge="${escapeXml(judge)}">${plot}<figcaption>${escapeXml(`${judge}: ${result.samples} sample(s)`)}</figcaption></figure>`;
  });
  return [
    '<h2 id="calibration">Calibration of solution scores</h2>',
    p(
      'Bars: the share of right answers among samples whose solution score falls in each tenth; dots: the bins’ mean score; dashed: perfect calibration (share right = score). Bars below the diagonal are over-confident.',
      'muted',
    ),
    `<div class="figures">${diagrams.join('')}</div>`,
    table(
      'id="table-calibration"',
      ['judge', 'samples', 'ECE'],
      judges.map((judge) => {
        const result = report.calibration[judge]!;
        return {
          cells: [
            { ident: judge },
            String(result.samples),
            result.ece === null ? '—' : result.ece.toFixed(3),
          ],
          data: { judge },
        };
      }),
    ),
  ].join('\n');
}

function agreementSection(report: DatasetReport): string {
  if (report.agreement.length === 0) return '';
  return [
    '<h2 id="agreement">Agreement between judges</h2>',
    table(
      'id="table-agreement"',
      [
        'judges (A / B)',
        'samples',
        'κ',
        'same first error',
        'A earlier',
        'A later',
        'only A finds an error',
        'only B finds one',
      ],
      report.agreement.map((pair) => ({
        cells: [
          { ident: `${pair.a} / ${pair.b}` },
          String(pair.samples),
          pair.kappa === null ? '—' : pair.kappa.toFixed(3),
          String(pair.firstError.same),
          String(pair.firstError.aEarlier),
          String(pair.firstError.aLater),
          String(pair.firstError.onlyAFindsError),
          String(pair.firstError.onlyBFindsError),
        ],
      })),
    ),
  ].join('\n');
}

function rules(report: Pick<DatasetReport, 'rules'>): string {
  // The line under a dataset report's accuracy plot links here (the folded list itself would be no
  // target to scroll to); the judge evaluation's page shows the same list.
  return `<details id="rules"><summary>How each figure is computed</summary><ul>${report.rules.map((rule) => `<li>${escapeXml(rule)}</li>`).join('')}</ul></details>`;
}

/**
 * The dataset report's markup: the title, the run summary and the accuracy section (its plot is what
 * the first paint shows), then the sections below, each a `section.later` laid out only when
 * scrolled near (content-visibility). `later` wraps what report.html puts on screen after its first
 * paint: the accuracy table and the sections below.
 */
function datasetReportMarkup(report: DatasetReport, name: string, later: (markup: string) => string): string {
  const overlay = paperOverlay(report, name);
  const judges = report.judges
    .map((judge) => `${judge.id} (${judge.model}, τ ${report.thresholds[judge.id] ?? '—'})`)
    .join(', ');
  const lead = [
    `<h1>StepLens dataset report: ${escapeXml(name)}</h1>`,
    p(`${report.problems} problem(s) × ${report.samplesPerProblem} samples; judges: ${judges || 'none'}.`),
    report.samples.failed > 0 || report.excluded.length > 0
      ? p(
          `${report.samples.failed} of ${report.samples.total} samples failed (they never vote and are left out of every figure); ${report.samples.problemsShort} problem(s) have fewer usable samples than k; ${report.excluded.length} row(s) were excluded when read.`,
          'warn',
        )
      : '',
    report.complete
      ? ''
      : p('Partial: the run has not finished; the figures cover the finished problems.', 'warn'),
    overlay
      ? p(
          `Dataset name "${name}" matches the paper's ${overlay.dataset}: its numbers are drawn as reference points.`,
          'muted',
        )
      : '',
    `<section class="lead">${accuracySection(report, overlay, later)}</section>`,
  ];
  // The rules right under the accuracy chart, whose caption links to them: what each method picks.
  const rest = [rules(report), precisionSection(report), calibrationSection(report), agreementSection(report)]
    .filter(Boolean)
    .map((section) => `<section class="later">${section}</section>`);
  return [...lead.filter(Boolean), later(rest.join('\n'))].join('\n');
}

/** The body of report.html for one dataset folder, every section in the markup (the VS Code view's body). */
export function datasetReportBody(report: DatasetReport, name: string): string {
  return datasetReportMarkup(report, name, (markup) => markup);
}

/**
 * Puts the accuracy table and the sections below the first screen into the page after its first
 * contentful paint, so that the first paint is the title, the summary and the accuracy plot without
 * waiting for the parse, layout and raster of the tables (issue 14: ≤ 1.5 × a page that only parses
 * the same data). The markup waits in <noscript class="report-later">: with scripting on, the parser reads it as raw text (no elements
 * built); with scripting off, it is the page. It is markup this module built, every value escaped
 * (escapeXml turns each < into &#60;, so nothing in it can close the <noscript> early), and the
 * template parses it exactly as the page's own parser would have. Whichever comes first: the first
 * contentful paint, or three seconds (a page opened in a background tab never reports one).
 */
export const REST_SCRIPT = afterFirstPaintScript(
  `    for (const markup of document.querySelectorAll('noscript.report-later')) {
      const template = document.createElement('template');
      template.innerHTML = markup.textContent;
      markup.replaceWith(template.content);
    }`,
  3000,
);

export function datasetReportHtml(report: DatasetReport, name: string): string {
  const later = (markup: string) => {
    // Escaping makes this impossible; a future unescaped string must not end the <noscript> early.
    if (/<\/noscript/i.test(markup))
      throw new Error('report.html: markup shown after the first paint closes its <noscript>');
    return markup === '' ? '' : `<noscript class="report-later">${markup}</noscript>`;
  };
  return panelHtml({
    fieldDefaults: false,
    title: `StepLens report · ${name}`,
    nonce: createNonce(),
    inlineStyle: REPORT_CSS,
    embedded: scriptSafeJson({ name, report }),
    body: `<main>${datasetReportMarkup(report, name, later)}</main>`,
    inlineScript: REST_SCRIPT,
  });
}

export interface CompareFolderReport {
  label: string;
  report: DatasetReport;
}

/** The body of the compare page: curves per method (one colour and dash per folder), differences, disagreements. */
export function compareReportBody(
  folders: readonly CompareFolderReport[],
  comparison: Comparison,
  limit = 20,
): string {
  const methods: string[] = [];
  for (const { report } of folders)
    for (const method of Object.keys(report.reranking.methods))
      if (!methods.includes(method)) methods.push(method);
  const ks = [...new Set(folders.flatMap(({ report }) => report.reranking.k))].sort((a, b) => a - b);
  const style = (f: number) => ({ colour: f % NEUTRAL, dash: DASHES[f % DASHES.length] });
  // One y range for every chart, so that the charts read side by side.
  const yDomain = percentDomain(
    folders.flatMap(({ report }) =>
      Object.values(report.reranking.methods).flatMap((curve) =>
        curve.mean.flatMap((mean, i) => [
          (mean - (curve.stderr[i] ?? 0)) * 100,
          (mean + (curve.stderr[i] ?? 0)) * 100,
        ]),
      ),
    ),
  );
  const charts = methods.map((method) => {
    const series: LineSeries[] = folders.flatMap(({ label, report }, f) => {
      const curve = report.reranking.methods[method];
      if (!curve) return [];
      return [
        {
          method,
          folder: label,
          label,
          ...style(f),
          points: report.reranking.k.map((k, i) => ({
            x: k,
            y: (curve.mean[i] ?? 0) * 100,
            err: (curve.stderr[i] ?? 0) * 100,
          })),
        },
      ];
    });
    return `<figure data-method="${escapeXml(method)}"><h3>${identMarkup(method)}</h3>${plotBox(
      lineChart({
        title: `Accuracy against k: ${method}`,
        xLabel: 'k (samples per problem, log₂ scale)',
        yLabel: 'accuracy (%)',
        xs: ks,
        series,
        plotWidth: 360,
        plotHeight: 220,
        yDomain,
        dodge: 3,
      }),
    )}</figure>`;
  });
  const { folders: labels } = comparison;
  const differenceHead = [
    'method',
    ...labels.map((label, f) => `${label} (%, k=${comparison.kMax[f]})`),
    ...labels.slice(1).map((label) => `${label} − ${labels[0]} (points)`),
  ];
  const signed = (value: number | null) =>
    value === null ? '—' : `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)}`;
  const differences = table(
    'id="table-differences"',
    differenceHead,
    comparison.methods.map((entry) => ({
      cells: [
        { ident: entry.method },
        ...entry.accuracy.map((value) => pct(value)),
        ...entry.difference.slice(1).map(signed),
      ],
      data: { method: entry.method },
    })),
  );
  const problemRow = (entry: Comparison['problems'][number]) => ({
    cells: [
      entry.problemId,
      ...entry.correctOfN.map(([c, n], f) => `${c}/${n} (${pct(entry.pass1[f]!, 0)} %)`),
      ...entry.selfPick.map((pick) => (pick === null ? '—' : pick ? 'right' : 'wrong')),
      (entry.spread * 100).toFixed(0),
    ],
    data: { problem: entry.problemId },
  });
  const problemHead = [
    'problem',
    ...labels.map((label) => `${label}: right of n (pass@1)`),
    ...labels.map((label) => `${label}: Self-PRM pick`),
    'pass@1 spread (points)',
  ];
  const mostApart = comparison.problems
    .filter((entry) => entry.spread > 0 || entry.picksDiffer)
    .slice(0, limit);
  const picksDiffer = comparison.problems.filter((entry) => entry.picksDiffer).slice(0, limit);
  return [
    `<h1>StepLens compare: ${escapeXml(labels.join(' · '))}</h1>`,
    p(
      `${comparison.shared} shared problem(s) (a reference and a usable sample in every folder); not shared: ${labels.map((label, f) => `${label} ${comparison.notShared[f]}`).join(', ')}.`,
    ),
    '<h2 id="curves">Accuracy against k, per method</h2>',
    p(
      'One chart per method, one line per folder (colour and dash by folder), each over all of its folder’s problems, on one y range. Error bars: ±1 standard error over each folder’s problems.',
      'muted',
    ),
    // Each chart's legend is at its right, out of view on a narrow page: the folders' lines listed once.
    legendList(
      'Folders',
      folders.map(({ label }, f) => ({
        key: element('path', {
          class: `line s${style(f).colour}`,
          d: 'M0,5 h28',
          'stroke-dasharray': style(f).dash,
        }),
        name: label,
        data: { folder: label },
      })),
    ),
    `<div class="figures">${charts.join('')}</div>`,
    '<h2 id="differences">Differences at k_max on the shared problems</h2>',
    p(
      'Accuracy (%) with all of each folder’s samples on the shared problems only (exact, no subsets); differences in percentage points against the first folder. —: the folder has no such method.',
      'muted',
    ),
    differences,
    '<h2 id="disagreements">Where the folders disagree most</h2>',
    p(
      `Shared problems by spread of pass@1 (largest minus smallest), then where the Self-PRM picks at k_max differ; at most ${limit}.`,
      'muted',
    ),
    mostApart.length === 0
      ? p('The folders agree on every shared problem.', 'muted')
      : table('id="table-disagreements"', problemHead, mostApart.map(problemRow)),
    '<h3>Self-PRM pick right in one folder, wrong in another</h3>',
    picksDiffer.length === 0
      ? p('None.', 'muted')
      : table('id="table-picks"', problemHead, picksDiffer.map(problemRow)),
  ].join('\n');
}

export function compareReportHtml(folders: readonly CompareFolderReport[], comparison: Comparison): string {
  return panelHtml({
    fieldDefaults: false,
    title: `StepLens compare · ${comparison.folders.join(' · ')}`,
    nonce: createNonce(),
    inlineStyle: REPORT_CSS,
    embedded: scriptSafeJson({ comparison, reports: folders }),
    body: `<main>${compareReportBody(folders, comparison)}</main>`,
  });
}

/**
 * report.html of a judge evaluation (`steplens evaluate` on step-labelled rows): ProcessBench F1 per
 * judge and subset as the papers print it, error and correct accuracy, the τ chosen on one subset,
 * and a reliability diagram of each judge's step scores against the row labels.
 */
export function evaluationReportBody(report: EvaluationReport, partial?: string): string {
  const subsets = Object.keys(report.subsets);
  const judges = Object.entries(report.judgeEvaluation);
  const colourOf = judgeColours(judges.map(([id]) => id));
  const parts = [
    '<h1>StepLens judge evaluation (ProcessBench F1)</h1>',
    ...(partial ? [p(partial, 'warn')] : []),
    p(
      `${report.rows} row(s) in ${subsets.length} subset(s): ${subsets.map((name) => `${name} ${report.subsets[name]}`).join(', ')}. Protocol: ${report.protocol}.`,
    ),
    '<h2 id="f1">F1 per subset (%)</h2>',
    table(
      'id="table-f1"',
      ['judge', 'model', ...subsets, 'average'],
      judges.map(([id, judge]) => ({
        cells: [
          { ident: id },
          judge.model,
          ...subsets.map((name) => pct(judge.subsets[name]?.f1)),
          pct(judge.average.f1),
        ],
        data: { judge: id },
      })),
    ),
    '<h2 id="accuracy">Error and correct accuracy, failures</h2>',
    table(
      'id="table-accuracy"',
      [
        'judge',
        'subset',
        'n',
        'error accuracy (%)',
        'correct accuracy (%)',
        'F1 (%)',
        'failed',
        'no prediction',
      ],
      judges.flatMap(([id, judge]) =>
        subsets.map((name) => {
          const score = judge.subsets[name]!;
          return {
            cells: [
              { ident: id },
              name,
              String(score.n),
              pct(score.errorAccuracy),
              pct(score.correctAccuracy),
              pct(score.f1),
              String(score.failed),
              String(score.noPrediction),
            ],
          };
        }),
      ),
    ),
  ];
  const tuned = judges.filter(([, judge]) => judge.bestThreshold);
  if (tuned.length > 0)
    parts.push(
      '<h2 id="tau">τ chosen on one subset (ProcessBench picks it on GSM8K)</h2>',
      table(
        'id="table-tau"',
        ['judge', 'run τ', 'best τ', 'chosen on', ...subsets.map((name) => `${name} F1 (%)`)],
        tuned.map(([id, judge]) => {
          const best = judge.bestThreshold!;
          return {
            cells: [
              { ident: id },
              String(judge.threshold),
              // A τ found among the scores: three decimals say it.
              String(Math.round(best.threshold * 1000) / 1000),
              best.subset,
              ...subsets.map((name) => pct(best.f1[name] ?? null)),
            ],
          };
        }),
      ),
    );
  parts.push(
    '<h2 id="calibration">Step scores against the labels</h2>',
    p(
      'Bars: the share of right steps among the steps whose score falls in each tenth (a step before the row’s first error is right, the first error wrong, later steps left out); dots: the bins’ mean score; dashed: perfect calibration.',
      'muted',
    ),
    `<div class="figures">${judges
      .map(([id, judge]) =>
        figure(
          reliabilityDiagram({
            title: `Step reliability: ${id}`,
            judge: id,
            bins: judge.stepCalibration.bins,
            ece: judge.stepCalibration.ece,
            xLabel: 'step score (bin)',
            yLabel: 'right steps (%)',
            colour: colourOf(id),
          }),
          `${id}: ${judge.stepCalibration.samples} step(s)`,
        ),
      )
      .join('')}</div>`,
    rules(report),
  );
  return parts.join('\n');
}

export function evaluationReportHtml(report: EvaluationReport, partial?: string): string {
  return panelHtml({
    fieldDefaults: false,
    title: 'StepLens judge evaluation',
    nonce: createNonce(),
    inlineStyle: REPORT_CSS,
    body: `<main>${evaluationReportBody(report, partial)}</main>`,
  });
}
