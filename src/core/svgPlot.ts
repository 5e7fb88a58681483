/**
 * The dataset report's plots as SVG text, built here (no DOM, no browser) so that the page needs
 * no script and every number and label is checked by unit tests: scales (linear, log 2), ticks,
 * path data, and three charts — lines with error bars, grouped bars, reliability diagrams.
 *
 * Every piece of text (method names, judge ids, problem ids: data of the run) goes through
 * `escapeXml`; colours are classes (`s0` … `s11`) the page's stylesheet maps to theme colours.
 */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Numbers in SVG attributes: two decimals at most, no "-0". */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

type Attrs = Record<string, string | number | undefined>;

/** One element; `children` is SVG already built (escaped), `text` is escaped here. */
export function element(tag: string, attrs: Attrs, children: string | { text: string } = ''): string {
  const attributes = Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(typeof value === 'number' ? num(value) : value)}"`)
    .join('');
  const body = typeof children === 'string' ? children : escapeXml(children.text);
  return `<${tag}${attributes}>${body}</${tag}>`;
}

export type Scale = (value: number) => number;

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
}

/** Log 2 scale: equal distance per doubling; a one-value domain maps to the middle of the range. */
export function log2Scale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const inner = linearScale([Math.log2(domain[0]), Math.log2(domain[1])], range);
  return (value) => inner(Math.log2(value));
}

/** A "nice" tick step (1, 2 or 5 × 10^n) giving at most about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Ticks at multiples of a nice step from `min` to `max` (both ends included when on a step). */
export function linearTicks(min: number, max: number, count = 5): number[] {
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + 1e-9; i++)
    ticks.push(Math.round(i * step * 1e9) / 1e9 + 0);
  return ticks;
}

/**
 * The y range shown for percentages and its tick step: the values (error bars included) widened to
 * multiples of a nice step (about six intervals), within [0, 100], at least one step high.
 */
export function percentDomain(values: readonly number[]): { low: number; high: number; step: number } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { low: 0, high: 100, step: 20 };
  const min = Math.max(0, Math.min(...finite));
  const max = Math.min(100, Math.max(...finite));
  const step = niceStep(Math.max(max - min, 10), 6);
  let low = Math.floor(min / step) * step;
  let high = Math.ceil(max / step) * step;
  if (high - low < step) {
    if (high + step <= 100) high += step;
    else low -= step;
  }
  return { low: Math.max(0, low), high: Math.min(100, high), step };
}

/** Ticks every `step` from `low` to `high`. */
export function stepTicks(low: number, high: number, step: number): number[] {
  const ticks: number[] = [];
  for (let i = 0; low + i * step <= high + 1e-9; i++) ticks.push(Math.round((low + i * step) * 1e9) / 1e9);
  return ticks;
}

/** SVG path data through the points, in order ("M x,y L x,y …"). */
export function pathData(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${num(x)},${num(y)}`).join(' ');
}

/** Pixel width of a label at the page's 12 px sans-serif, a little generous (no layout engine here). */
export function textWidth(text: string, fontSize = 12): number {
  return Math.ceil(text.length * fontSize * 0.6);
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function axes(
  frame: Frame,
  x: { ticks: { at: number; label: string }[]; label: string },
  y: { ticks: { at: number; label: string }[]; label: string },
): string {
  const { left, right, top, bottom } = frame;
  const parts: string[] = [];
  for (const tick of y.ticks) {
    parts.push(element('line', { class: 'grid', x1: left, x2: right, y1: tick.at, y2: tick.at }));
    parts.push(
      element(
        'text',
        { class: 'tick', x: left - 6, y: tick.at, 'text-anchor': 'end', dy: '0.32em' },
        {
          text: tick.label,
        },
      ),
    );
  }
  for (const tick of x.ticks) {
    parts.push(element('line', { class: 'axis', x1: tick.at, x2: tick.at, y1: bottom, y2: bottom + 4 }));
    parts.push(
      element(
        'text',
        { class: 'tick', x: tick.at, y: bottom + 16, 'text-anchor': 'middle' },
        {
          text: tick.label,
        },
      ),
    );
  }
  parts.push(element('line', { class: 'axis', x1: left, x2: right, y1: bottom, y2: bottom }));
  parts.push(element('line', { class: 'axis', x1: left, x2: left, y1: top, y2: bottom }));
  parts.push(
    element(
      'text',
      { class: 'axis-label x-label', x: (left + right) / 2, y: bottom + 34, 'text-anchor': 'middle' },
      {
        text: x.label,
      },
    ),
  );
  const middle = (top + bottom) / 2;
  parts.push(
    element(
      'text',
      {
        class: 'axis-label y-label',
        x: 14,
        y: middle,
        'text-anchor': 'middle',
        transform: `rotate(-90 14 ${num(middle)})`,
      },
      { text: y.label },
    ),
  );
  return parts.join('');
}

/** The page's smallest text in a plot (tick labels, notes), in the SVG's own px. */
export const SMALLEST_TEXT_PX = 11;
/** The smallest that text may be drawn on screen when a page shrinks a plot to fit. */
export const READABLE_TEXT_PX = 10;

/**
 * How narrow a page may make a plot (it scales the whole SVG, text included): the width at which
 * the smallest text is drawn at READABLE_TEXT_PX. A narrower page scrolls the plot instead.
 */
export function readableWidth(width: number): number {
  return Math.ceil((width * READABLE_TEXT_PX) / SMALLEST_TEXT_PX);
}

function sizeAttrs(frame: Frame): Attrs {
  return {
    viewBox: `0 0 ${frame.width} ${frame.height}`,
    width: frame.width,
    height: frame.height,
    style: `min-width: ${readableWidth(frame.width)}px`,
  };
}

function svg(frame: Frame, title: string, className: string, body: string): string {
  return element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: `plot ${className}`,
      ...sizeAttrs(frame),
      role: 'img',
      'aria-label': title,
    },
    element('title', {}, { text: title }) + body,
  );
}

export interface LinePoint {
  x: number;
  /** Percent. */
  y: number;
  /** ± (percent); 0 or absent: no error bar. */
  err?: number;
}

export interface LineSeries {
  /** Carried as data-method. */
  method: string;
  /** Carried as data-folder (compare). */
  folder?: string;
  label: string;
  /** Palette index (class sN). */
  colour: number;
  dash?: string;
  points: LinePoint[];
}

export interface ReferencePoint {
  /** Legend group, e.g. "paper (QwQ-32B)". */
  group: string;
  /** What it is, for the tooltip: "majority_voting at k = 8: 80.0 %". */
  label: string;
  method: string | null;
  colour: number;
  shape: 'diamond' | 'square';
  x: number;
  y: number;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** x values with ticks (k); log 2 axis. */
  xs: number[];
  series: LineSeries[];
  references?: ReferencePoint[];
  /** Plot area size, without legend and margins. */
  plotWidth?: number;
  plotHeight?: number;
  /**
   * Pixels between neighbouring series along x (centred on each k), so that equal values and their
   * error bars stay apart; default 0.
   */
  dodge?: number;
  /** The y range and tick step (charts meant to be read side by side share one); default from the data. */
  yDomain?: { low: number; high: number; step: number };
}

function marker(shape: ReferencePoint['shape'], x: number, y: number, size: number): string {
  if (shape === 'square')
    return `M${num(x - size)},${num(y - size)} h${num(2 * size)} v${num(2 * size)} h${num(-2 * size)} Z`;
  return `M${num(x)},${num(y - size - 1)} L${num(x + size + 1)},${num(y)} L${num(x)},${num(y + size + 1)} L${num(x - size - 1)},${num(y)} Z`;
}

/** Accuracy against k: one path per series (data-method), ±err bars, reference markers, a legend on the right. */
export function lineChart(spec: LineChartSpec): string {
  return lineChartLayers(spec, false).base;
}

/**
 * The same chart in two SVGs of the same size and viewBox: `base` has the axes, each series' line
 * (data-method), the reference markers and the legend; `detail` the error bars and the dots with
 * their tooltips, to lay over the base. A page can paint the base first: the details are two
 * thirds of the chart's elements and most of its first-frame cost.
 */
export function lineChartDetailed(spec: LineChartSpec): { base: string; detail: string } {
  const layers = lineChartLayers(spec, true);
  return { base: layers.base, detail: layers.detail };
}

function lineChartLayers(spec: LineChartSpec, split: boolean): { base: string; detail: string } {
  const plotWidth = spec.plotWidth ?? 620;
  const plotHeight = spec.plotHeight ?? 340;
  const references = spec.references ?? [];
  const groups = [...new Map(references.map((ref) => [ref.group, ref.shape])).entries()];
  const legendLabels = [...spec.series.map((series) => series.label), ...groups.map(([group]) => group)];
  const legendWidth = 40 + Math.max(0, ...legendLabels.map((label) => textWidth(label)));
  const frame: Frame = {
    left: 56,
    top: 14,
    right: 56 + plotWidth,
    bottom: 14 + plotHeight,
    width: 0,
    height: 0,
  };
  frame.width = frame.right + 16 + legendWidth;
  frame.height = Math.max(frame.bottom + 44, frame.top + 18 * legendLabels.length + 10);
  const xs = spec.xs.length > 0 ? spec.xs : [1];
  const inset = 14;
  const xAt = log2Scale([Math.min(...xs), Math.max(...xs)], [frame.left + inset, frame.right - inset]);
  const values: number[] = [];
  for (const series of spec.series)
    for (const point of series.points) values.push(point.y - (point.err ?? 0), point.y + (point.err ?? 0));
  for (const ref of references) values.push(ref.y);
  const { low, high, step } = spec.yDomain ?? percentDomain(values);
  const y = linearScale([low, high], [frame.bottom, frame.top]);
  const parts = [
    axes(
      frame,
      { ticks: xs.map((k) => ({ at: xAt(k), label: String(k) })), label: spec.xLabel },
      { ticks: stepTicks(low, high, step).map((v) => ({ at: y(v), label: String(v) })), label: spec.yLabel },
    ),
  ];
  const dodge = spec.dodge ?? 0;
  const details: string[] = [];
  spec.series.forEach((series, index) => {
    const shift = dodge * (index - (spec.series.length - 1) / 2);
    const x = (k: number) => xAt(k) + shift;
    const data = { 'data-method': series.method, 'data-folder': series.folder };
    const cls = `s${series.colour % 12}`;
    const bars = series.points
      .filter((point) => (point.err ?? 0) > 0)
      .map((point) => {
        const px = x(point.x);
        const top = y(Math.min(100, point.y + point.err!));
        const bottom = y(Math.max(0, point.y - point.err!));
        return element('path', {
          class: `errorbar ${cls}`,
          ...data,
          d: `M${num(px)},${num(top)} V${num(bottom)} M${num(px - 4)},${num(top)} h8 M${num(px - 4)},${num(bottom)} h8`,
        });
      })
      .join('');
    const dots = series.points
      .map((point) =>
        element(
          'circle',
          { class: `dot ${cls}`, cx: x(point.x), cy: y(point.y), r: 2.5 },
          element(
            'title',
            {},
            {
              text: `${series.label}, k = ${point.x}: ${point.y.toFixed(1)} %${point.err ? ` ± ${point.err.toFixed(1)}` : ''}`,
            },
          ),
        ),
      )
      .join('');
    const line = element('path', {
      class: `line ${cls}`,
      ...data,
      d: pathData(series.points.map((point) => [x(point.x), y(point.y)])),
      'stroke-dasharray': series.dash,
    });
    if (split) {
      parts.push(element('g', { class: 'series', ...data }, line));
      details.push(element('g', { class: 'series-detail', ...data }, bars + dots));
    } else parts.push(element('g', { class: 'series', ...data }, line + bars + dots));
  });
  for (const ref of references)
    parts.push(
      element(
        'path',
        {
          class: `reference s${ref.colour % 12}`,
          'data-method': ref.method ?? undefined,
          'data-reference': ref.group,
          d: marker(ref.shape, xAt(ref.x), y(ref.y), 4),
        },
        element('title', {}, { text: `${ref.group}: ${ref.label}` }),
      ),
    );
  // Legend, one row per series then per reference group.
  const lx = frame.right + 16;
  let ly = frame.top + 6;
  const legend: string[] = [];
  for (const series of spec.series) {
    legend.push(
      element(
        'g',
        { class: 'legend-entry', 'data-method': series.method, 'data-folder': series.folder },
        element('path', {
          class: `line s${series.colour % 12}`,
          d: `M${num(lx)},${num(ly)} h28`,
          'stroke-dasharray': series.dash,
        }) + element('text', { class: 'legend', x: lx + 34, y: ly, dy: '0.32em' }, { text: series.label }),
      ),
    );
    ly += 18;
  }
  for (const [group, shape] of groups) {
    legend.push(
      element(
        'g',
        { class: 'legend-entry', 'data-reference': group },
        element('path', { class: 'reference neutral', d: marker(shape, lx + 14, ly, 4) }) +
          element('text', { class: 'legend', x: lx + 34, y: ly, dy: '0.32em' }, { text: group }),
      ),
    );
    ly += 18;
  }
  parts.push(element('g', { class: 'legend-box' }, legend.join('')));
  return {
    base: svg(frame, spec.title, 'line-chart', parts.join('')),
    detail: element(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        class: 'plot line-chart-detail',
        ...sizeAttrs(frame),
        'aria-hidden': 'true',
      },
      details.join(''),
    ),
  };
}

export interface BarGroup {
  /** Carried as data-judge. */
  key: string;
  label: string;
  colour: number;
  /** Per category: percent, or null (no bar, a dash). */
  values: (number | null)[];
  /** Per category: the text above the bar (e.g. "3/8"). */
  notes: string[];
}

export interface BarChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  groups: BarGroup[];
  plotWidth?: number;
  plotHeight?: number;
}

/** Grouped bars on 0–100 %: one group of bars per category, one bar per group member. */
export function barChart(spec: BarChartSpec): string {
  // Wide enough that each bar's note (11 px, e.g. "1931/5395") fits over its own bar, not its neighbour's.
  const bars = Math.max(1, spec.categories.length * spec.groups.length);
  const noteWidth = Math.max(
    0,
    ...spec.groups.flatMap((group) => group.notes.map((note) => textWidth(note, 11))),
  );
  const plotWidth = Math.max(spec.plotWidth ?? 460, Math.ceil(((noteWidth + 4) * bars) / 0.8));
  const plotHeight = spec.plotHeight ?? 220;
  const legendWidth = 40 + Math.max(0, ...spec.groups.map((group) => textWidth(group.label)));
  const frame: Frame = {
    left: 56,
    top: 18,
    right: 56 + plotWidth,
    bottom: 18 + plotHeight,
    width: 0,
    height: 0,
  };
  frame.width = frame.right + 16 + legendWidth;
  frame.height = Math.max(frame.bottom + 44, frame.top + 18 * spec.groups.length + 10);
  const y = linearScale([0, 100], [frame.bottom, frame.top]);
  const band = plotWidth / Math.max(1, spec.categories.length);
  const barWidth = (band * 0.8) / Math.max(1, spec.groups.length);
  const parts = [
    axes(
      frame,
      {
        ticks: spec.categories.map((label, i) => ({ at: frame.left + band * (i + 0.5), label })),
        label: spec.xLabel,
      },
      { ticks: linearTicks(0, 100, 5).map((v) => ({ at: y(v), label: String(v) })), label: spec.yLabel },
    ),
  ];
  spec.groups.forEach((group, g) => {
    spec.categories.forEach((category, i) => {
      const value = group.values[i] ?? null;
      const bx = frame.left + band * i + band * 0.1 + barWidth * g;
      const note = group.notes[i] ?? '';
      const tip = `${group.label}, ${category}: ${value === null ? 'none called correct' : `${value.toFixed(1)} %`}${note ? ` (${note})` : ''}`;
      if (value === null) {
        parts.push(
          element(
            'text',
            {
              class: 'note',
              x: bx + barWidth / 2,
              y: frame.bottom - 4,
              'text-anchor': 'middle',
              'data-judge': group.key,
            },
            { text: '—' },
          ),
        );
        return;
      }
      parts.push(
        element(
          'rect',
          {
            class: `bar s${group.colour % 12}`,
            'data-judge': group.key,
            'data-category': category,
            x: bx,
            y: y(value),
            width: Math.max(1, barWidth - 2),
            height: frame.bottom - y(value),
          },
          element('title', {}, { text: tip }),
        ),
      );
      if (note)
        parts.push(
          element(
            'text',
            { class: 'note', x: bx + barWidth / 2 - 1, y: y(value) - 4, 'text-anchor': 'middle' },
            {
              text: note,
            },
          ),
        );
    });
  });
  const lx = frame.right + 16;
  spec.groups.forEach((group, g) => {
    const ly = frame.top + 6 + 18 * g;
    parts.push(
      element(
        'g',
        { class: 'legend-entry', 'data-judge': group.key },
        element('rect', { class: `bar s${group.colour % 12}`, x: lx, y: ly - 5, width: 28, height: 10 }) +
          element('text', { class: 'legend', x: lx + 34, y: ly, dy: '0.32em' }, { text: group.label }),
      ),
    );
  });
  return svg(frame, spec.title, 'bar-chart', parts.join(''));
}

export interface ReliabilitySpec {
  title: string;
  judge: string;
  bins: { from: number; to: number; count: number; meanScore: number | null; accuracy: number | null }[];
  ece: number | null;
  size?: number;
  /** Axis labels; default a solution score against right answers. */
  xLabel?: string;
  yLabel?: string;
  /** The bars' palette colour (the page's judge colour); default 0. */
  colour?: number;
}

/** Reliability diagram: accuracy per score bin as bars, mean score as a dot, the diagonal y = x. */
export function reliabilityDiagram(spec: ReliabilitySpec): string {
  const size = spec.size ?? 240;
  const frame: Frame = {
    left: 56,
    top: 36,
    right: 56 + size,
    bottom: 36 + size,
    width: 56 + size + 20,
    height: 36 + size + 44,
  };
  const x = linearScale([0, 1], [frame.left, frame.right]);
  const y = linearScale([0, 1], [frame.bottom, frame.top]);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const parts = [
    axes(
      frame,
      {
        ticks: ticks.map((v) => ({ at: x(v), label: v.toFixed(1) })),
        label: spec.xLabel ?? 'solution score (bin)',
      },
      {
        ticks: ticks.map((v) => ({ at: y(v), label: String(v * 100) })),
        label: spec.yLabel ?? 'right answers (%)',
      },
    ),
    element('path', {
      class: 'diagonal',
      d: pathData([
        [x(0), y(0)],
        [x(1), y(1)],
      ]),
    }),
    // The judge on the chart itself: a narrow page shows one chart at a time, its caption out of sight.
    element('text', { class: 'judge-name', x: frame.left, y: 8, dy: '0.32em' }, { text: spec.judge }),
    element(
      'text',
      { class: 'ece', x: frame.left, y: 23, dy: '0.32em' },
      { text: `ECE ${spec.ece === null ? '—' : spec.ece.toFixed(3)} · n per bin above bars` },
    ),
  ];
  for (const bin of spec.bins) {
    if (bin.accuracy === null || bin.count === 0) continue;
    parts.push(
      element(
        'rect',
        {
          class: `bin s${(spec.colour ?? 0) % 12}`,
          'data-judge': spec.judge,
          x: x(bin.from) + 1,
          y: y(bin.accuracy),
          width: Math.max(1, x(bin.to) - x(bin.from) - 2),
          height: y(0) - y(bin.accuracy),
        },
        element(
          'title',
          {},
          {
            text: `scores ${bin.from.toFixed(1)}–${bin.to.toFixed(1)}: ${bin.count} sample(s), ${(bin.accuracy * 100).toFixed(1)} % right, mean score ${(bin.meanScore ?? 0).toFixed(3)}`,
          },
        ),
      ),
    );
    parts.push(
      element(
        'text',
        {
          class: 'note count',
          x: (x(bin.from) + x(bin.to)) / 2,
          y: y(bin.accuracy) - 6,
          'text-anchor': 'middle',
        },
        {
          text: String(bin.count),
        },
      ),
    );
    if (bin.meanScore !== null)
      parts.push(element('circle', { class: 'mean-score', cx: x(bin.meanScore), cy: y(bin.accuracy), r: 3 }));
  }
  return svg(frame, spec.title, 'reliability', parts.join(''));
}
