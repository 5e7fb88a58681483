/**
 * The report's SVG plots (src/core/svgPlot.ts): scales, ticks, ranges and path data worked out by
 * hand, and the charts' elements — one line per method at the right coordinates, error bars where
 * there is an error, the diagonal, text escaped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  barChart,
  escapeXml,
  linearScale,
  linearTicks,
  lineChart,
  log2Scale,
  niceStep,
  num,
  pathData,
  percentDomain,
  reliabilityDiagram,
  stepTicks,
} from '../../src/core/svgPlot.js';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

test('scales: linear both ways, log 2 with equal distance per doubling', () => {
  assert.equal(linearScale([0, 10], [0, 100])(2.5), 25);
  assert.equal(linearScale([40, 70], [314, 14])(50), 214);
  assert.equal(linearScale([5, 5], [0, 100])(5), 50, 'an empty domain maps to the middle');
  const x = log2Scale([1, 8], [0, 300]);
  assert.deepEqual([1, 2, 4, 8].map(x), [0, 100, 200, 300]);
  assert.equal(log2Scale([4, 4], [10, 30])(4), 20);
});

test('ticks: nice steps of 1, 2, 5 × 10^n', () => {
  assert.equal(niceStep(50, 5), 10);
  assert.equal(niceStep(53, 6), 10);
  assert.equal(niceStep(30, 6), 5);
  assert.equal(niceStep(100, 6), 20);
  assert.equal(niceStep(0.9, 5), 0.2);
  assert.equal(niceStep(0, 5), 1);
  assert.deepEqual(linearTicks(0, 100, 5), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(3, 17, 5), [5, 10, 15], '14 / 5 = 2.8 rounds up to a step of 5');
  assert.deepEqual(stepTicks(40, 90, 10), [40, 50, 60, 70, 80, 90]);
});

test('the percent range: widened to whole steps, within 0–100, at least a step high', () => {
  assert.deepEqual(percentDomain([41, 85.7]), { low: 40, high: 90, step: 10 });
  assert.deepEqual(percentDomain([]), { low: 0, high: 100, step: 20 });
  assert.deepEqual(percentDomain([100, 100]), { low: 98, high: 100, step: 2 });
  assert.deepEqual(percentDomain([50, 50]), { low: 50, high: 52, step: 2 });
  assert.deepEqual(percentDomain([-3, 120]), { low: 0, high: 100, step: 20 });
  assert.deepEqual(percentDomain([Number.NaN, 12, 18]), { low: 12, high: 18, step: 2 });
});

test('numbers and paths: two decimals, no -0', () => {
  assert.equal(num(10.126), '10.13');
  assert.equal(num(-0.001), '0');
  assert.equal(num(3), '3');
  assert.equal(
    pathData([
      [0, 0],
      [10.126, -0.001],
      [5, 7],
    ]),
    'M0,0 L10.13,0 L5,7',
  );
  assert.equal(pathData([]), '');
});

test('text is escaped', () => {
  assert.equal(escapeXml(`<a href="x">&'`), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
});

test('the line chart: a path per method at hand-computed points, error bars only where there is an error', () => {
  const svg = lineChart({
    title: 'Accuracy <k>',
    xLabel: 'k',
    yLabel: 'accuracy (%)',
    xs: [1, 2, 4],
    plotWidth: 400,
    plotHeight: 300,
    series: [
      {
        method: 'a',
        label: 'a',
        colour: 0,
        points: [
          { x: 1, y: 50 },
          { x: 2, y: 60, err: 5 },
          { x: 4, y: 70, err: 0 },
        ],
      },
      {
        method: '<b>',
        label: '<b>',
        colour: 1,
        dash: '2 3',
        points: [
          { x: 1, y: 40 },
          { x: 2, y: 50 },
          { x: 4, y: 60 },
        ],
      },
    ],
    references: [
      { group: 'paper (QwQ-32B)', label: 'x', method: 'a', colour: 0, shape: 'diamond', x: 4, y: 70 },
      { group: 'paper (QwQ-32B)', label: 'y', method: null, colour: 11, shape: 'diamond', x: 2, y: 45 },
    ],
  });
  // Plot from x 56 to 456, inset 14: k = 1, 2, 4 at 70, 256, 442. y 40–70 (step 5) over 314 → 14.
  assert.match(svg, /<path class="line s0" data-method="a" d="M70,214 L256,114 L442,14"><\/path>/);
  assert.match(
    svg,
    /<path class="line s1" data-method="&#60;b&#62;" d="M70,314 L256,214 L442,114" stroke-dasharray="2 3"><\/path>/,
  );
  assert.equal(count(svg, /<g class="series"/g), 2);
  // One error bar: a at k = 2, from 65 (y 64) to 55 (y 164), with caps.
  assert.equal(count(svg, /class="errorbar/g), 1);
  assert.match(svg, /class="errorbar s0" data-method="a" d="M256,64 V164 M252,64 h8 M252,164 h8"/);
  assert.equal(count(svg, /class="reference s\d+"/g), 2);
  assert.match(svg, /class="reference s11" data-reference="paper \(QwQ-32B\)"/);
  // Axis labels and ticks: y every 5 from 40 to 70, x at each k.
  assert.match(svg, /class="axis-label x-label"[^>]*>k<\/text>/);
  assert.match(svg, /class="axis-label y-label"[^>]*>accuracy \(%\)<\/text>/);
  assert.deepEqual(
    [...svg.matchAll(/text-anchor="end" dy="0.32em">([^<]*)</g)].map((m) => m[1]),
    ['40', '45', '50', '55', '60', '65', '70'],
  );
  // Legend: both methods, then the paper group once.
  assert.deepEqual(
    [...svg.matchAll(/class="legend"[^>]*>([^<]*)</g)].map((m) => m[1]),
    ['a', '&#60;b&#62;', 'paper (QwQ-32B)'],
  );
  assert.doesNotMatch(svg, /<b>/);
  assert.match(svg, /<title>Accuracy &#60;k&#62;<\/title>/);
});

test('the line chart, dodged: series shifted apart along x, centred on each k', () => {
  const svg = lineChart({
    title: 't',
    xLabel: 'k',
    yLabel: 'y',
    xs: [1, 2],
    plotWidth: 400,
    plotHeight: 300,
    dodge: 2,
    yDomain: { low: 0, high: 100, step: 50 },
    series: ['a', 'b', 'c'].map((method, colour) => ({
      method,
      label: method,
      colour,
      points: [
        { x: 1, y: 50, err: 10 },
        { x: 2, y: 50 },
      ],
    })),
    references: [{ group: 'g', label: 'l', method: null, colour: 11, shape: 'square', x: 1, y: 50 }],
  });
  // k = 1 at 70, k = 2 at 442; three series 2 px apart: −2, 0, +2.
  assert.match(svg, /data-method="a" d="M68,164 L440,164"/);
  assert.match(svg, /data-method="b" d="M70,164 L442,164"/);
  assert.match(svg, /data-method="c" d="M72,164 L444,164"/);
  assert.match(svg, /class="errorbar s0" data-method="a" d="M68,134 V194/);
  // Reference points stay on k.
  assert.match(svg, /data-reference="g" d="M66,160 h8 v8 h-8 Z"/);
});

test('the line chart on a given range', () => {
  const svg = lineChart({
    title: 't',
    xLabel: 'k',
    yLabel: 'y',
    xs: [1, 2],
    plotWidth: 400,
    plotHeight: 300,
    yDomain: { low: 0, high: 100, step: 50 },
    series: [
      {
        method: 'm',
        label: 'm',
        colour: 0,
        points: [
          { x: 1, y: 50 },
          { x: 2, y: 100 },
        ],
      },
    ],
  });
  assert.match(svg, /d="M70,164 L442,14"/);
  assert.deepEqual(
    [...svg.matchAll(/text-anchor="end" dy="0.32em">([^<]*)</g)].map((m) => m[1]),
    ['0', '50', '100'],
  );
});

test('grouped bars: a bar per value, a dash where there is none, the notes above', () => {
  const svg = barChart({
    title: 'p',
    xLabel: 'difficulty',
    yLabel: 'precision (%)',
    categories: ['easy', 'hard'],
    plotWidth: 400,
    plotHeight: 200,
    groups: [
      { key: 'self', label: 'self', colour: 0, values: [50, null], notes: ['1/2', ''] },
      { key: 'prm', label: 'prm', colour: 1, values: [100, 0], notes: ['2/2', '0/3'] },
    ],
  });
  assert.equal(count(svg, /<rect class="bar s\d" data-judge="[a-z]+" data-category/g), 3);
  // Band 200 per category, bars 80 wide: self at 56 + 20 = 76, top at y(50) = 218 − 100 = 118.
  assert.match(svg, /data-judge="self" data-category="easy" x="76" y="118" width="78" height="100"/);
  assert.match(svg, /data-judge="prm" data-category="easy" x="156" y="18" width="78" height="200"/);
  assert.match(svg, /data-judge="self">—<\/text>/);
  assert.deepEqual(
    [...svg.matchAll(/class="note"[^>]*>([^<—]+)</g)].map((m) => m[1]),
    ['1/2', '2/2', '0/3'],
  );
});

test('grouped bars: long notes widen the plot so that each stays over its own bar', () => {
  const notes = ['1931/5395', '2819/5861', '0/0', '0/0', '0/0'];
  const svg = barChart({
    title: 'p',
    xLabel: 'difficulty',
    yLabel: 'precision (%)',
    categories: ['a', 'b', 'c', 'd', 'e'],
    groups: [
      { key: 'self', label: 'self', colour: 0, values: [36, 48, 1, 1, 1], notes },
      { key: 'prm', label: 'prm', colour: 1, values: [37, 49, 1, 1, 1], notes },
    ],
  });
  const widths = [...svg.matchAll(/<rect class="bar[^>]* data-category="[^"]*"[^>]* width="([\d.]+)"/g)].map(
    (m) => Number(m[1]),
  );
  // "1931/5395" at 11 px is ~60 px wide: every bar slot (bar + 2 px gap) at least that.
  assert.equal(widths.length, 10);
  for (const width of widths) assert.ok(width + 2 >= 9 * 11 * 0.6, `bar ${width} px under its note`);
});

test('the reliability diagram: the diagonal, a bar per filled bin with its count, ECE', () => {
  const svg = reliabilityDiagram({
    title: 'r',
    judge: 'self',
    ece: 0.125,
    bins: [
      { from: 0, to: 0.5, count: 0, meanScore: null, accuracy: null },
      { from: 0.5, to: 1, count: 4, meanScore: 0.75, accuracy: 0.5 },
    ],
  });
  // 240 px square from (56, 36): the diagonal from (56, 276) to (296, 36).
  assert.match(svg, /class="diagonal" d="M56,276 L296,36"/);
  assert.equal(count(svg, /<rect class="bin s0"/g), 1);
  assert.match(svg, /<rect class="bin s0" data-judge="self" x="177" y="156" width="118" height="120">/);
  // The bars take the judge's palette colour when the page gives one (report.html: judgeColours).
  assert.match(
    reliabilityDiagram({
      title: 'r',
      judge: 'self',
      ece: 0.1,
      bins: [{ from: 0, to: 1, count: 1, meanScore: 0.5, accuracy: 1 }],
      colour: 3,
    }),
    /<rect class="bin s3" data-judge="self"/,
  );
  assert.match(svg, /<circle class="mean-score" cx="236" cy="156"/);
  assert.match(svg, /class="note count"[^>]*>4</);
  assert.match(svg, />ECE 0.125 · n per bin above bars</);
  // The judge is named on the chart, not only in a caption that a narrow page scrolls out of sight.
  assert.match(svg, /<text class="judge-name"[^>]*>self<\/text>/);
  assert.match(reliabilityDiagram({ title: 'r', judge: 'x', ece: null, bins: [] }), />ECE — ·/);
});
