/**
 * The CLI as a hostile or unlucky user meets it: damaged audit logs, ids that try to leave their
 * folder, formula and HTML payloads in ids and model names, files with a byte-order mark, broken
 * UTF-8, binary files and output paths that cannot be written. Every case ends in a clear word.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Run } from '../../src/core/schemas.js';
import { assertUsageFailure, jsonLines, runInProcess } from '../cli.js';
import { auditLine, smallRun } from '../fixtures/smallRun.js';
import { fixturePath } from '../support.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A workspace with `.steplens/runs/<id>.json` and, when given, its audit log. */
function workspace(run: Run | Record<string, unknown>, log?: string | Buffer) {
  const root = mkdtempSync(join(tmpdir(), 'steplens-cli-'));
  const id = String(run.id);
  mkdirSync(join(root, '.steplens', 'runs'), { recursive: true });
  mkdirSync(join(root, '.steplens', 'audits'), { recursive: true });
  const runPath = join(root, '.steplens', 'runs', 'run.json');
  writeFileSync(runPath, JSON.stringify(run));
  const logPath = join(root, '.steplens', 'audits', `${id}.jsonl`);
  if (log !== undefined) writeFileSync(logPath, log);
  return { root, runPath, logPath };
}

const labels = [
  auditLine({ type: 'firstError', sample: 0, step: -1 }),
  auditLine({ type: 'firstError', sample: 1, step: 0 }),
  auditLine({ type: 'firstError', sample: 2, step: 1 }),
];

describe('export and view never drop a label without a word', () => {
  test('a BOM is read; a torn line is named on stderr, counted on stdout and listed in the report', async () => {
    const log = Buffer.concat([
      BOM,
      Buffer.from(`${labels[0]}\n${labels[1]}\n{"type":"firstErr\n${labels[2]}\n`),
    ]);
    const { root, runPath, logPath } = workspace(smallRun(), log);
    const out = join(root, 'export');
    const result = await runInProcess(['export', runPath, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((jsonLines(result.stdout)[0] as { skippedAuditLines: number }).skippedAuditLines, 1);
    assert.match(result.stderr, new RegExp(`skipped ${logPath.replace(/[.]/g, '\\.')}:3: not JSON`));
    assert.match(result.stderr, /1 audit line\(s\) could not be read/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(report.labeledSamples, 3, 'the first label, behind the BOM, counts');
    assert.deepEqual(report.auditLines, {
      events: 3,
      skipped: [{ run: 'run-a', file: 'run-a.jsonl', line: 3, reason: 'not JSON (a write cut short?)' }],
    });
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\*\*1 audit line\(s\) could not be read/);
  });

  test('a sample whose own labels contradict each other is named on stderr, counted on stdout, left out of the JSONL', async () => {
    // Sample 1 marked "no error", yet its step 0 rated −1.
    const log = [
      labels[0],
      auditLine({ type: 'stepRating', sample: 1, step: 0, rating: -1 }),
      auditLine({ type: 'firstError', sample: 1, step: -1 }),
    ].join('\n');
    const { root, runPath } = workspace(smallRun(), log);
    const out = join(root, 'export');
    const result = await runInProcess(['export', runPath, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((jsonLines(result.stdout)[0] as { contradictorySamples: number }).contradictorySamples, 1);
    assert.match(
      result.stderr,
      /steplens export: warning: 1 sample\(s\) have labels that contradict each other .*listed in report\.md/,
    );
    const ids = readFileSync(join(out, 'processbench.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).id);
    assert.deepEqual(ids, ['run-a/0']);
  });

  test('an --audits folder that is missing, or a file, is an error naming it (exit 2)', async () => {
    const { root, runPath } = workspace(smallRun(), labels.join('\n'));
    const missing = join(root, 'no-such-folder');
    assertUsageFailure(
      await runInProcess(['export', runPath, '--out', join(root, 'x'), '--audits', missing]),
      new RegExp(`${missing}: no such file`),
    );
    const file = join(root, 'file.txt');
    writeFileSync(file, '');
    assertUsageFailure(
      await runInProcess(['export', runPath, '--out', join(root, 'x'), '--audits', file]),
      /file\.txt: is a file; --audits takes the folder/,
    );
  });

  test('view: an --audits log that is missing or a folder is an error; skipped lines go to stderr', async () => {
    const { root, runPath, logPath } = workspace(smallRun(), `${labels[0]}\nnot json\n`);
    const html = join(root, 'run.html');
    assertUsageFailure(
      await runInProcess(['view', runPath, '--html', html, '--audits', join(root, 'missing.jsonl')]),
      /missing\.jsonl: no such file/,
    );
    assertUsageFailure(
      await runInProcess(['view', runPath, '--html', html, '--audits', join(root, '.steplens')]),
      /\.steplens: is a directory/,
    );
    const result = await runInProcess(['view', runPath, '--html', html]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout)[0], {
      html,
      annotator: 'unnamed',
      annotators: ['unnamed'],
      events: 1,
      skipped: 1,
    });
    assert.match(result.stderr, new RegExp(`skipped ${logPath.replace(/[.]/g, '\\.')}:2: not JSON`));
  });

  test("view: one annotator's labels on the page, the others named; an unknown annotator is an error", async () => {
    const { root, runPath, logPath } = workspace(
      smallRun(),
      [
        auditLine({ type: 'firstError', sample: 0, step: -1, annotator: 'ana' }),
        auditLine({ type: 'firstError', sample: 1, step: 0, annotator: 'ana' }),
        auditLine({ type: 'firstError', sample: 1, step: 1, annotator: 'ben' }),
      ].join('\n'),
    );
    const html = join(root, 'run.html');
    const most = await runInProcess(['view', runPath, '--html', html]);
    assert.equal(most.code, 0, most.stderr);
    assert.deepEqual(jsonLines(most.stdout)[0], {
      html,
      annotator: 'ana',
      annotators: ['ana', 'ben'],
      events: 2,
      skipped: 0,
    });
    assert.match(most.stderr, /showing the labels of ana; also labelled: ben \(choose with --annotator\)/);
    const page = readFileSync(html, 'utf8');
    assert.ok(
      page.includes('"annotator":"ana"') && !page.includes('"annotator":"ben"'),
      "only ana's events are embedded",
    );
    const ben = await runInProcess(['view', runPath, '--html', html, '--annotator', 'ben']);
    assert.equal((jsonLines(ben.stdout)[0] as { events: number }).events, 1);
    assertUsageFailure(
      await runInProcess(['view', runPath, '--html', html, '--annotator', 'cai']),
      new RegExp(`${logPath.replace(/[.]/g, '\\.')}: has no labels by "cai"; annotators: ana, ben`),
    );
  });
});

describe('identifiers from files never become paths or formulas unchecked', () => {
  const hostile = { ...smallRun(), id: '../../../../tmp/steplens-evil/evil' };

  test('a run whose id climbs out of the workspace is refused by view and export', async () => {
    const { root, runPath } = workspace(hostile);
    assertUsageFailure(
      await runInProcess(['view', runPath, '--html', join(root, 'x.html')]),
      /run\.json, field "id": must start with a letter or digit/,
    );
    assertUsageFailure(
      await runInProcess(['export', runPath, '--out', join(root, 'x'), '--audits', root]),
      /field "id"/,
    );
    assert.equal(existsSync(join(root, 'x.html')), false);
  });

  test('judge ids that look like formulas are refused; model names reach report.md as text', async () => {
    const run = smallRun();
    const formula = {
      ...run,
      judges: [...run.judges, { id: '=HYPERLINK("http://x")', kind: 'chat-critic', model: 'm' }],
    };
    const { root, runPath } = workspace(formula);
    assertUsageFailure(
      await runInProcess(['export', runPath, '--out', join(root, 'x')]),
      /field "judges\.2\.id"/,
    );

    const evilModel = '<img src=x onerror=alert(1)> | *bold* `code`\n# heading';
    const html = {
      ...run,
      judges: run.judges.map((judge) => (judge.id === 'self' ? { ...judge, model: evilModel } : judge)),
    };
    const second = workspace(html, labels.join('\n'));
    const out = join(second.root, 'export');
    const result = await runInProcess(['export', second.runPath, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const selfRow = md.split('\n').find((line) => line.startsWith('| self |'))!;
    assert.equal(
      selfRow.split(' | ')[1],
      '&lt;img src=x onerror=alert(1)&gt; \\| \\*bold\\* \\`code\\` \\# heading',
    );
    assert.doesNotMatch(md, /<img/);
    const header = md.split('\n').find((line) => line.startsWith('| judge | model |'))!;
    const columns = (row: string) => row.split(/(?<!\\)\|/).length;
    assert.equal(columns(selfRow), columns(header), 'the row keeps its columns');
  });
});

describe('input edges: BOM, broken UTF-8, binary files, unwritable outputs', () => {
  const problem = 'What is $6 \\times 7$?\n\nAnswer: 42\n';

  test('a leading byte-order mark is accepted by import, split, metrics and view', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-bom-'));
    const md = join(dir, 'p.md');
    writeFileSync(md, Buffer.concat([BOM, Buffer.from(problem)]));
    const imported = await runInProcess(['import', md]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal((jsonLines(imported.stdout)[0] as { reference: string }).reference, '42');
    assert.equal((jsonLines(imported.stdout)[0] as { text: string }).text.startsWith('What'), true);

    const jsonl = join(dir, 'rows.jsonl');
    writeFileSync(jsonl, Buffer.concat([BOM, Buffer.from('{"id":"a","problem":"1+1?","answer":"2"}\n')]));
    assert.equal((await runInProcess(['import', jsonl])).code, 0);

    const split = await runInProcess(
      ['split'],
      Buffer.concat([BOM, Buffer.from('{"id":1,"text":"a\\n\\nb"}\r\n')]),
    );
    assert.deepEqual(jsonLines(split.stdout), [{ id: 1, steps: ['a', 'b'] }]);
    const metrics = await runInProcess(
      ['metrics'],
      Buffer.concat([BOM, Buffer.from('{"label":-1,"prediction":-1}\n')]),
    );
    assert.equal((jsonLines(metrics.stdout)[0] as { n: number }).n, 1);

    const { root, runPath } = workspace(smallRun());
    writeFileSync(runPath, Buffer.concat([BOM, readFileSync(runPath)]));
    assert.equal((await runInProcess(['view', runPath, '--html', join(root, 'v.html')])).code, 0);
  });

  test('invalid UTF-8 is an error naming the file (or line) and the byte, never a silent U+FFFD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-utf8-'));
    const latin1 = join(dir, 'latin1.md');
    writeFileSync(
      latin1,
      Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from(' costs 3?\n')]),
    );
    assertUsageFailure(await runInProcess(['import', latin1]), /latin1\.md: invalid UTF-8 at byte 3$/);
    assertUsageFailure(
      await runInProcess(
        ['split'],
        Buffer.concat([Buffer.from('{"text":"ok"}\n{"text":"caf'), Buffer.from([0xe9, 0x22, 0x7d])]),
      ),
      /^steplens split: stdin, line 2: invalid UTF-8 at byte 26$/,
    );
  });

  test('a binary file named .md or .jsonl is rejected as not text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steplens-bin-'));
    const png = join(dir, 'problem.md');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    assertUsageFailure(
      await runInProcess(['import', png]),
      /problem\.md: not a text file \(a NUL byte at byte 8\)/,
    );
    const utf16 = join(dir, 'rows.jsonl');
    writeFileSync(
      utf16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"problem":"x"}', 'utf16le')]),
    );
    assertUsageFailure(
      await runInProcess(['import', utf16]),
      /rows\.jsonl: UTF-16 text; save the file as UTF-8/,
    );
  });

  test('an output path that is a folder, or under a file, exits 2 naming the path', async () => {
    const { root, runPath } = workspace(smallRun(), labels.join('\n'));
    assertUsageFailure(
      await runInProcess(['view', runPath, '--html', root]),
      new RegExp(`${root}: is a directory, not a file`),
    );
    const file = join(root, 'taken');
    writeFileSync(file, 'x');
    assertUsageFailure(
      await runInProcess(['export', runPath, '--out', join(file, 'sub')]),
      /taken\/sub\/[a-z0-9_.]+: a part of the path is a file, not a folder/,
    );
    assertUsageFailure(
      await runInProcess(['import', fixturePath('problems')]),
      /problems: is a directory, not a file/,
    );
  });
});
