/**
 * report.html as text (src/reportHtml.ts): the panel's CSP, no script but the embedded data, every
 * name escaped, the paper's numbers chosen by dataset name and policy model, the line styles.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { datasetReport, datasetReportMarkdown } from '../../src/core/datasetReport.js';
import {
  coincidingCurves,
  datasetReportBody,
  datasetReportHtml,
  identMarkup,
  methodStyles,
  paperOverlay,
  REST_SCRIPT,
} from '../../src/reportHtml.js';
import { runInProcess } from '../cli.js';
import { datasetProblem, reportIndex, type SampleSpec } from '../fixtures/reportDataset.js';

const report = datasetReport(reportIndex(), { subsets: 5 });

test('one page under the panel’s CSP: one nonce’d script that only moves the rest in, the report embedded and escaped', () => {
  const name = 'aime24 </script><script>alert(1)</script>';
  const html = datasetReportHtml(report, name);
  const nonce = /script-src &#39;nonce-([^&]+)&#39;/.exec(html)?.[1];
  assert.ok(nonce, 'the CSP allows scripts by nonce only');
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-/,
  );
  const scripts = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, [
    '<script type="application/json" id="steplens-data">',
    `<script nonce="${nonce}">`,
  ]);
  assert.equal(html.split('</script>').length, 3, 'the only </script>s close the data and the script');
  assert.ok(html.includes(`<script nonce="${nonce}">${REST_SCRIPT}</script>`), 'the script is REST_SCRIPT');
  assert.match(
    html,
    /<h1>StepLens dataset report: aime24 &#60;\/script&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;<\/h1>/,
  );
  const data = html.slice(html.indexOf('id="steplens-data">') + 19, html.indexOf('</script>'));
  assert.deepEqual(JSON.parse(data), JSON.parse(JSON.stringify({ name, report })));
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'nothing to fetch');
});

test('the first paint’s markup comes first; the plot’s details, its narrow-page legend, the table and the rest wait in <noscript>s that no id can close', () => {
  const hostile = 'p9 </noscript><img src=x onerror=alert(1)></NOSCRIPT >';
  const index = reportIndex();
  index.problems.push(
    datasetProblem(
      hostile,
      Array.from({ length: 8 }, (_, i) => [i === 0, -1, 0.9, -1, 0.9]),
    ),
  );
  const html = datasetReportHtml(datasetReport(index, { subsets: 5 }), 'hostile');
  const main = html.slice(html.indexOf('<main>'), html.indexOf('</main>') + 7);
  const lead = main.slice(0, main.indexOf('<noscript'));
  // Title, summary and the accuracy plot are parsed as elements, before anything else.
  assert.deepEqual(
    [...lead.matchAll(/<(h1|h2|svg|table)\b[^>]*>/g)].map((m) => m[0].split(/[ >]/)[0]),
    ['<h1', '<h2', '<svg'],
  );
  assert.match(lead, /<section class="lead"><h2 id="accuracy">/);
  const openers = [...main.matchAll(/<noscript\b[^>]*>/gi)];
  const closers = [...main.matchAll(/<\/noscript/gi)];
  assert.deepEqual(
    openers.map((m) => m[0]),
    Array.from({ length: 4 }, () => '<noscript class="report-later">'),
  );
  assert.equal(closers.length, 4, 'the hostile id cannot end a <noscript> early');
  const [detail, legend, table, rest] = openers.map((m, i) =>
    main.slice(m.index! + m[0].length, closers[i]!.index),
  );
  // The accuracy plot's lines are in the first paint; its error bars and dots lie over them after.
  assert.match(lead, /<div class="plot-stack"><svg[^>]*class="plot line-chart"/);
  assert.doesNotMatch(lead, /class="(errorbar|dot) /);
  assert.match(detail!, /^<svg[^>]*class="plot line-chart-detail"/);
  assert.match(detail!, /class="errorbar /);
  assert.match(legend!, /^<ul class="legend-list" aria-label="Legend"><li data-method="pass@k">/);
  // The accuracy table stays in its section; the sections below run to the end of <main>.
  assert.match(table!, /^<div class="table-scroll"><table id="table-accuracy">/);
  assert.ok(main.slice(closers[2]!.index).startsWith('</noscript></section>'));
  assert.ok(main.endsWith('</noscript></main>'));
  for (const id of ['precision', 'calibration', 'agreement'])
    assert.match(rest!, new RegExp(`<section class="later"><h2 id="${id}">`));
  assert.ok(rest!.includes('p9 &#60;/noscript&#62;&#60;img src=x onerror=alert(1)&#62;'), 'the id as text');
  // The VS Code view's body has every section as markup, no <noscript>.
  assert.doesNotMatch(datasetReportBody(datasetReport(index, { subsets: 5 }), 'hostile'), /<\/?noscript/i);
});

test('a name in a table: its text escaped, a <wbr> after each of its own separators (- and :) and nowhere else', () => {
  assert.equal(
    identMarkup('prm-best-of-n:prm:product'),
    'prm-<wbr>best-<wbr>of-<wbr>n:<wbr>prm:<wbr>product',
  );
  assert.equal(identMarkup('pass@k'), 'pass@k');
  assert.equal(identMarkup('a:<b>-'), 'a:<wbr>&#60;b&#62;-');
  // A judge whose id is markup: one row in the calibration table, its id as text.
  const hostile = datasetReportBody(
    datasetReport(
      {
        ...reportIndex(),
        judges: [{ id: '<img src=x>', kind: 'vllm-pooling', model: 'm' }],
        thresholds: { '<img src=x>': 0.5 },
      },
      { subsets: 5 },
    ),
    'x',
  );
  assert.doesNotMatch(hostile, /<img/);
});

test('the paper overlay: by dataset name, the Self-PRM model, k ≤ k_max', () => {
  assert.equal(paperOverlay(report, 'math500'), null);
  const overlay = paperOverlay(report, 'AIME24')!;
  assert.deepEqual(overlay.models, ['QwQ-32B']);
  // k_max 8: k = 1 (pass@k) and 8 (four rows) of 17 QwQ-32B values.
  assert.deepEqual(
    overlay.points.map((point) => [point.row, point.k, point.value, point.method]),
    [
      ['pass@k', 1, 73.3, 'pass@k'],
      ['pass@k', 8, 90, 'pass@k'],
      ['majority_voting', 8, 80, 'majority'],
      ['bon_external_prm_Qwen2.5-Math-PRM-72B_min_step', 8, 83.3, null],
      ['bon_self_prm', 8, 83.3, 'self-prm'],
    ],
  );
  assert.equal(overlay.beyondKMax, 12);
  // An unknown policy model: both of the paper's; a PRM-72B judge: its best-of-n.
  const other = datasetReport(reportIndex({ selfModel: 'my-model' }), { subsets: 5 });
  other.judges = other.judges.map((judge) =>
    judge.id === 'prm' ? { ...judge, model: 'Qwen/Qwen2.5-Math-PRM-72B' } : judge,
  );
  const both = paperOverlay(other, 'cnmo24')!;
  assert.deepEqual(both.models, ['QwQ-32B', 'DeepSeek-R1']);
  assert.deepEqual(
    both.points
      .filter((point) => point.row.startsWith('bon_external'))
      .map((point) => [point.model, point.value, point.method]),
    [
      ['QwQ-32B', 76.7, 'prm-best-of-n:prm'],
      ['DeepSeek-R1', 77.8, 'prm-best-of-n:prm'],
    ],
  );
});

test('line styles: a colour per method, bounds dotted, other aggregations dashed', () => {
  const styles = methodStyles([
    'pass@k',
    'majority',
    'prm-best-of-n:p:last',
    'prm-best-of-n:p:product',
    'oracle',
  ]);
  assert.deepEqual(
    [...styles.values()],
    [
      { colour: 0, dash: '2 3' },
      { colour: 1, dash: undefined },
      { colour: 2, dash: '7 4' },
      { colour: 3, dash: '7 4' },
      { colour: 4, dash: '2 3' },
    ],
  );
  const many = methodStyles(Array.from({ length: 13 }, (_, i) => `m${i}`));
  assert.deepEqual(
    [...many.values()].map((style) => style.colour),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1],
  );
  assert.deepEqual([many.get('m10')!.dash, many.get('m11')!.dash], [undefined, '10 3 2 3']);
});

test('steplens report: one folder writes the page into it; several compare into --out, usage checked', async () => {
  const root = mkdtempSync(join(tmpdir(), 'steplens-report-cli-'));
  for (const name of ['aime25-a', 'aime25-b']) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'dataset.json'), JSON.stringify(reportIndex()));
  }
  const one = await runInProcess([
    'report',
    join(root, 'aime25-a'),
    '--subsets',
    '5',
    '--name',
    'AIME25 <QwQ>',
  ]);
  assert.equal(one.code, 0, one.stderr);
  const page = readFileSync(JSON.parse(one.stdout).html, 'utf8');
  assert.match(page, /<title>StepLens report · AIME25 &#60;QwQ&#62;<\/title>/);
  assert.match(page, /paper \(QwQ-32B\)/);
  // The name is kept in report.json (and report.md), and a rebuild without --name keeps it.
  const stored = () => JSON.parse(readFileSync(join(root, 'aime25-a', 'report.json'), 'utf8')).name;
  assert.equal(stored(), 'AIME25 <QwQ>');
  assert.match(
    readFileSync(join(root, 'aime25-a', 'report.md'), 'utf8'),
    /^# StepLens dataset report: AIME25 &lt;QwQ&gt;\n/,
  );
  const rebuilt = await runInProcess(['report', join(root, 'aime25-a'), '--subsets', '5']);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.equal(stored(), 'AIME25 <QwQ>');
  assert.match(
    readFileSync(JSON.parse(rebuilt.stdout).html, 'utf8'),
    /<title>StepLens report · AIME25 &#60;QwQ&#62;<\/title>/,
  );
  const renamed = await runInProcess(['report', join(root, 'aime25-a'), '--subsets', '5', '--name', 'mine']);
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.equal(stored(), 'mine');
  const out = join(root, 'cmp');
  const compared = await runInProcess([
    'report',
    join(root, 'aime25-a'),
    join(root, 'aime25-b'),
    '--out',
    out,
  ]);
  assert.equal(compared.code, 0, compared.stderr);
  assert.deepEqual(JSON.parse(compared.stdout), {
    html: join(out, 'report.html'),
    json: join(out, 'compare.json'),
    shared: 6,
  });
  assert.deepEqual(
    readdirSync(join(root, 'aime25-b')),
    ['dataset.json'],
    'compare writes nothing into the folders',
  );
  const comparison = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
  assert.deepEqual(comparison.folders, ['aime25-a', 'aime25-b']);
  assert.ok(comparison.methods.every((row: { difference: number[] }) => row.difference[1] === 0));
  for (const args of [
    [join(root, 'aime25-a'), join(root, 'aime25-b')],
    [join(root, 'aime25-a'), '--out', out],
    [join(root, 'aime25-a'), join(root, 'aime25-b'), '--out', out, '--name', 'x'],
  ]) {
    const refused = await runInProcess(['report', ...args]);
    assert.equal(refused.code, 2, args.join(' '));
  }
  // Never named: no name in report.json, the folder's name on the page.
  const plain = await runInProcess(['report', join(root, 'aime25-b'), '--subsets', '5']);
  assert.equal(JSON.parse(readFileSync(join(root, 'aime25-b', 'report.json'), 'utf8')).name, undefined);
  assert.match(
    readFileSync(JSON.parse(plain.stdout).html, 'utf8'),
    /<title>StepLens report · aime25-b<\/title>/,
  );
});

test('failed samples and excluded rows are said at the top, before any figure', () => {
  assert.doesNotMatch(datasetReportHtml(report, 'clean'), /samples failed/);
  const html = datasetReportHtml(
    { ...report, samples: { total: 56, failed: 3, problemsShort: 1 }, excluded: ['rows.jsonl, line 4: bad'] },
    'with failures',
  );
  const warning = html.indexOf('3 of 56 samples failed');
  assert.ok(warning > 0 && warning < html.indexOf('<svg'), 'the warning comes before the first plot');
  assert.match(html, /1 problem\(s\) have fewer usable samples than k; 1 row\(s\) were excluded when read/);
});

test('a figure with no data says so and why, instead of empty axes and a table of zeros', () => {
  const specs: SampleSpec[] = [
    [true, -1, 0.9, -1, 0.9],
    [false, 1, 0.2, 1, 0.3],
  ];
  const noReference = datasetReport(
    reportIndex({ problems: [datasetProblem('a', specs, null), datasetProblem('b', specs, null)] }),
    { subsets: 5 },
  );
  const body = datasetReportBody(noReference, 'no refs');
  assert.doesNotMatch(
    body,
    /line-chart|bar-chart|svg class="plot reliability|id="table-accuracy"|No hard problem/,
  );
  const why = 'no problem has a reference answer (2 without one) to tell a right answer from a wrong one.';
  assert.deepEqual(
    [...body.matchAll(/<p class="no-data"[^>]*>(.*?)<\/p>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '')),
    [
      `No data for the accuracy against k: ${why}`,
      `No data for the precision by difficulty: ${why}`,
      'No data for self&#39;s reliability: no sample has both a solution score from this judge and an answer known right or wrong.',
      'No data for prm&#39;s reliability: no sample has both a solution score from this judge and an answer known right or wrong.',
    ],
  );
  const markdown = datasetReportMarkdown(noReference, (text) => text);
  assert.match(markdown, new RegExp(`\\*\\*No data:\\*\\* ${why.replace(/[()]/g, '\\$&')}`));
  assert.doesNotMatch(markdown, /\| method \|/);
  // Every sample failed: said so. One problem with a reference and a sample: the plots are back.
  const failed = reportIndex({ problems: [datasetProblem('a', specs)] });
  failed.problems[0]!.samples = failed.problems[0]!.samples.map((sample) => ({ ...sample, failed: true }));
  assert.match(
    datasetReportBody(datasetReport(failed, { subsets: 5 }), 'failed'),
    /<strong>No data<\/strong> for the accuracy against k: no problem has a usable sample \(every sample of all 1 failed\)\./,
  );
  const some = datasetReportBody(
    datasetReport(reportIndex({ problems: [datasetProblem('a', specs), datasetProblem('b', specs, null)] }), {
      subsets: 5,
    }),
    'some',
  );
  assert.doesNotMatch(some, /No data<\/strong> for the (accuracy|precision)/);
  assert.match(some, /class="plot line-chart"/);
});

test('the accuracy figure says which error its bars show: the standard error over problems, as report.md does', () => {
  const html = datasetReportHtml(report, 'bars');
  const caption = /<figcaption elementtiming="first-content">(.*?)<\/figcaption>/.exec(html)?.[1] ?? '';
  assert.match(caption, /Error bars: ±1 standard error over problems/);
  assert.doesNotMatch(caption, /Error bars: ±1 standard error of the subset sampling/);
  // The bars are drawn from stderr, the error over problems (rerank-curves.test.ts checks its value).
  assert.ok(report.reranking.methods.majority!.stderr.some((value) => value > 0));
  assert.match(
    datasetReportMarkdown(report, (text) => text),
    /standard error over problems/,
  );
});

test('a method whose curve is exactly another’s is named with it in the legend: lines a pixel apart look like one', () => {
  const { methods } = report.reranking;
  const sameAs = coincidingCurves(methods);
  // The fixture's PRM scores rank its samples alike by min, last and product.
  assert.equal(sameAs.get('prm-best-of-n:prm:last'), 'prm-best-of-n:prm');
  assert.equal(sameAs.get('prm-best-of-n:prm:product'), 'prm-best-of-n:prm');
  for (const [method, twin] of sameAs) {
    assert.deepEqual(methods[method], methods[twin], `${method} = ${twin}`);
    assert.ok(!sameAs.has(twin), 'named with the first of its kind');
  }
  for (const method of Object.keys(methods).filter((name) => !sameAs.has(name)))
    for (const other of Object.keys(methods).filter((name) => name !== method && !sameAs.has(name)))
      assert.notDeepEqual(methods[method], methods[other], `${method} and ${other} were told apart`);
  // Equal means with other standard errors are other curves.
  const nearly = {
    a: { mean: [0.5, 0.6], stderr: [0.01, 0.02] },
    b: { mean: [0.5, 0.6], stderr: [0.01, 0.03] },
  };
  assert.equal(coincidingCurves(nearly).size, 0);

  const html = datasetReportHtml(report, 'aime24');
  const legend = [...html.matchAll(/<text class="legend"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.ok(legend.includes('prm-best-of-n:prm:last (= prm-best-of-n:prm)'), legend.join(' | '));
  assert.ok(legend.includes('prm-best-of-n:prm'), 'the first of them keeps its own name');
  assert.ok(legend.includes('majority'));
  assert.match(html, /a method whose curve is another’s at every k is named with it in the legend/);
});
