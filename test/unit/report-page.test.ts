/**
 * report.html as text (src/reportHtml.ts): the panel's CSP, no script but the embedded data, every
 * name escaped, the paper's numbers chosen by dataset name and policy model, the line styles.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { datasetReport } from '../../src/core/datasetReport.js';
import { datasetReportHtml, methodStyles, paperOverlay } from '../../src/reportHtml.js';
import { runInProcess } from '../cli.js';
import { reportIndex } from '../fixtures/reportDataset.js';

const report = datasetReport(reportIndex(), { subsets: 5 });

test('one page under the panel’s CSP: no script to run, the report embedded and escaped', () => {
  const name = 'aime24 </script><script>alert(1)</script>';
  const html = datasetReportHtml(report, name);
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-/,
  );
  const scripts = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, ['<script type="application/json" id="steplens-data">']);
  assert.equal(html.split('</script>').length, 2, 'the only </script> closes the data');
  assert.match(
    html,
    /<h1>StepLens dataset report: aime24 &#60;\/script&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;<\/h1>/,
  );
  const data = html.slice(html.indexOf('id="steplens-data">') + 19, html.lastIndexOf('</script>'));
  assert.deepEqual(JSON.parse(data), JSON.parse(JSON.stringify({ name, report })));
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'nothing to fetch');
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
