/**
 * `steplens evaluate` over the 40 real ProcessBench rows in the fixtures, split into the four
 * subset files ProcessBench ships, against scripted critic and PRM endpoints (real HTTP, the real
 * `openai` client). The expected figures are computed here from ProcessBench's published rules,
 * independently of src/core/processbench.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import { defaultRowsInFlight } from '../../src/jobs/evaluate.js';
import { assertUsageFailure, runInProcess } from '../cli.js';
import { PB_ROWS, type PbRow, pbSubsetOf, processBenchFigures } from '../fixtures/processbenchRows.js';
import {
  type ChatRequestBody,
  type PoolingRequestBody,
  poolingInputs,
  rewardPairs,
  type Stub,
  startStub,
  stepsIn,
} from '../fixtures/stubServer.js';

const rows = PB_ROWS;
const subsetOf = pbSubsetOf;

/**
 * The script, by row position: every third row's critic names the wrong step (−1 ↔ 0); row 5's
 * critic request fails; every fourth row's PRM misses the error (all steps 0.9). Otherwise both
 * judges name the human label.
 */
const criticSays = (index: number, row: PbRow) => (index % 3 === 0 ? (row.label === -1 ? 0 : -1) : row.label);
const CRITIC_FAILS = 5;
const prmScores = (index: number, row: PbRow) =>
  row.steps.map((_, step) => (index % 4 !== 0 && step === row.label ? 0.2 : 0.9));

/** The row a request is about: its problem and its last step (some problems come with two solutions). */
const rowOf = (text: string) =>
  rows.findIndex(
    (row) => text.includes(row.problem.slice(0, 120)) && text.includes(row.steps.at(-1)!.slice(0, 120)),
  );

let dir: string;
let policy: Stub;
let prm: Stub;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steplens-evaluate-'));
  policy = await startStub({
    chat: (body: ChatRequestBody) => {
      const index = rowOf(body.messages.map((message) => message.content).join('\n'));
      if (index === -1) return { fault: { kind: 'status', status: 400, message: 'unknown row' } };
      if (index === CRITIC_FAILS)
        return { fault: { kind: 'status', status: 500, message: 'scripted failure' } };
      const verdict = criticSays(index, rows[index]!);
      return {
        choices: Array.from({ length: body.n ?? 1 }, () => ({
          content: `Checking each paragraph.\n\nThe earliest error: \\boxed{${verdict}}`,
        })),
      };
    },
  });
  prm = await startStub({
    pooling: (body) => ({
      data: poolingInputs(body).map((input) => {
        const index = rowOf(input);
        return rewardPairs(prmScores(index, rows[index]!).slice(0, stepsIn(input)));
      }),
    }),
  });
  // As ProcessBench ships them: one file per subset, a JSON array (gsm8k) or JSONL. One JSONL file
  // as a Windows editor saves it (a BOM, CR LF, a blank line): judging reads it as a stream.
  for (const subset of ['gsm8k', 'math', 'olympiadbench', 'omnimath']) {
    const mine = rows.filter((row) => subsetOf(row) === subset);
    const lines = mine.map((row) => JSON.stringify(row));
    const text =
      subset === 'gsm8k'
        ? JSON.stringify(mine)
        : subset === 'olympiadbench'
          ? `\uFEFF${lines.join('\r\n\r\n')}\r\n`
          : lines.join('\n');
    writeFileSync(join(dir, `${subset}.${subset === 'gsm8k' ? 'json' : 'jsonl'}`), text);
  }
  // A row without a label is skipped and counted.
  writeFileSync(join(dir, 'unlabelled.jsonl'), JSON.stringify({ id: 'x-1', problem: 'P', steps: ['a'] }));
  writeConfig('steplens.json', 0.5);
  writeConfig('strict.json', 0.95);
  writeConfig('two-critiques.json', 0.5, 2);
});

after(async () => {
  await policy.close();
  await prm.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, threshold: number, samples = 4): void {
  writeFileSync(
    join(dir, name),
    JSON.stringify({
      policy: {
        baseUrl: policy.baseUrl,
        model: 'Qwen/QwQ-32B',
        concurrency: 8,
        maxRetries: 0,
        timeoutMs: 5000,
      },
      selfJudge: { mode: 'critic', samples },
      prms: [
        {
          id: 'qwen-prm',
          kind: 'vllm-pooling',
          baseUrl: prm.url,
          model: 'Qwen/Qwen2.5-Math-PRM-7B',
          maxRetries: 0,
        },
      ],
      threshold,
    }),
  );
}

const files = () =>
  ['gsm8k.json', 'math.jsonl', 'olympiadbench.jsonl', 'omnimath.jsonl', 'unlabelled.jsonl'].map((name) =>
    join(dir, name),
  );
const evaluate = (config = 'steplens.json', out = 'eval') =>
  runInProcess(['evaluate', ...files(), '--config', join(dir, config), '--out', join(dir, out), '--quiet']);

interface Report {
  rows: number;
  complete: boolean;
  skipped: string[];
  judgeEvaluation: Record<
    string,
    {
      subsets: Record<
        string,
        { n: number; errorAccuracy: number; correctAccuracy: number; f1: number; failed: number }
      >;
      average: { f1: number };
      bestThreshold?: { subset: string; threshold: number; f1: Record<string, number> };
    }
  >;
}

describe('steplens evaluate', () => {
  let first: Report;

  test('F1 per judge and subset by ProcessBench’s rules; a failed request is a miss, counted', async () => {
    const result = await evaluate();
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      out: join(dir, 'eval'),
      rows: 40,
      judged: 40,
      reused: 0,
      skipped: 1,
      complete: true,
    });
    first = JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')) as Report;
    assert.equal(first.rows, 40);
    assert.match(first.skipped[0]!, /unlabelled\.jsonl:1 \(x-1\): no first-error label/);

    const self = processBenchFigures((index, row) =>
      index === CRITIC_FAILS ? null : criticSays(index, row),
    );
    const prmExpected = processBenchFigures((index, row) => {
      const below = prmScores(index, row).findIndex((score) => score < 0.5);
      return below;
    });
    for (const [judge, want] of [
      ['self', self],
      ['qwen-prm', prmExpected],
    ] as const) {
      for (const [subset, figures] of Object.entries(want)) {
        const got = first.judgeEvaluation[judge]!.subsets[subset]!;
        assert.equal(got.n, figures.n, `${judge} ${subset} n`);
        assert.ok(
          Math.abs(got.errorAccuracy - figures.errorAccuracy) < 1e-12,
          `${judge} ${subset} error accuracy`,
        );
        assert.ok(
          Math.abs(got.correctAccuracy - figures.correctAccuracy) < 1e-12,
          `${judge} ${subset} correct accuracy`,
        );
        assert.ok(Math.abs(got.f1 - figures.f1) < 1e-12, `${judge} ${subset} F1`);
      }
      const mean = Object.values(want).reduce((sum, figures) => sum + figures.f1, 0) / 4;
      assert.ok(Math.abs(first.judgeEvaluation[judge]!.average.f1 - mean) < 1e-12, `${judge} average`);
    }
    // The PRM's inputs are batched across rows: 40 rows, one input each, in far fewer requests.
    const pooledInputs = prm.requests.flatMap((request) => poolingInputs(request.body as PoolingRequestBody));
    assert.equal(pooledInputs.length, 40);
    assert.ok(prm.requests.length <= 20, `${prm.requests.length} /pooling requests for 40 rows`);
    // Row 5 (gsm8k-5) is the failed critique: counted in its subset, a miss.
    assert.equal(first.judgeEvaluation.self!.subsets.gsm8k!.failed, 1);
    assert.equal(first.judgeEvaluation['qwen-prm']!.subsets.gsm8k!.failed, 0);
    // The PRM's τ chosen on gsm8k: any τ in (0.2, 0.9] finds the scripted errors; the smallest is taken.
    assert.equal(first.judgeEvaluation['qwen-prm']!.bestThreshold?.threshold, 0.9);

    const markdown = readFileSync(join(dir, 'eval', 'report.md'), 'utf8');
    const pct = (value: number) => (value * 100).toFixed(1);
    assert.ok(
      markdown.includes(
        `| self | Qwen/QwQ-32B | ${['gsm8k', 'math', 'olympiadbench', 'omnimath'].map((s) => pct(self[s]!.f1)).join(' | ')} | ${pct(first.judgeEvaluation.self!.average.f1)} |`,
      ),
      markdown,
    );
    // report.html: the same F1 table, and a reliability diagram of each judge's step scores.
    const html = readFileSync(join(dir, 'eval', 'report.html'), 'utf8');
    const f1Row = (judge: string) =>
      html.match(new RegExp(`<tr data-judge="${judge}">(.*?)</tr>`))?.[1] ?? '';
    assert.equal(
      // Each cell's text: a name's cell carries <wbr> after its separators (src/reportHtml.ts identMarkup).
      [...f1Row('self').matchAll(/<td[^>]*>(.*?)<\/td>/g)]
        .map((cell) => cell[1]!.replace(/<wbr>/g, ''))
        .join('|'),
      [
        'self',
        'Qwen/QwQ-32B',
        ...['gsm8k', 'math', 'olympiadbench', 'omnimath'].map((s) => pct(self[s]!.f1)),
        pct(first.judgeEvaluation.self!.average.f1),
      ].join('|'),
    );
    assert.ok(f1Row('qwen-prm').length > 0);
    assert.equal(html.match(/step score \(bin\)/g)?.length, 2);
    assert.doesNotMatch(html, /<script(?! type="application\/json")/);
    const results = readFileSync(join(dir, 'eval', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(results.length, 40);
    // gsm8k-0 (label 1): the script has the critic say −1 and the PRM miss it.
    const row0 = JSON.parse(results[0]!);
    assert.deepEqual(
      [row0.id, row0.subset, row0.label, row0.judges.self.prediction, row0.judges['qwen-prm'].prediction],
      ['gsm8k-0', 'gsm8k', 1, -1, -1],
    );
  });

  test('a rerun requests nothing finished; a lost run file is judged again, alone', async () => {
    const before = { chat: policy.requests.length, pooling: prm.requests.length };
    const again = await evaluate();
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).reused, 40);
    assert.deepEqual({ chat: policy.requests.length, pooling: prm.requests.length }, before);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')), first);

    rmSync(join(dir, 'eval', 'runs', 'math', 'math-3.json'));
    writeFileSync(join(dir, 'eval', 'runs', 'math', 'math-4.json'), '{"schemaVersion": 1, "id": "torn');
    // Run files are not synced: a machine crash may leave one empty.
    writeFileSync(join(dir, 'eval', 'runs', 'omnimath', 'omnimath-0.json'), '');
    const third = await evaluate();
    assert.equal(JSON.parse(third.stdout).judged, 3);
    assert.equal(policy.requests.length - before.chat, 3);
    // The three rows' PRM inputs, batched across rows or not.
    const pooled = prm.requests
      .slice(before.pooling)
      .flatMap((request) => poolingInputs(request.body as PoolingRequestBody));
    assert.equal(pooled.length, 3);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')), first);
  });

  test('another τ reuses every row and reads the stored scores at it; other judges are refused', async () => {
    const before = { chat: policy.requests.length, pooling: prm.requests.length };
    const strict = await evaluate('strict.json');
    assert.equal(strict.code, 0, strict.stderr);
    assert.equal(JSON.parse(strict.stdout).reused, 40);
    assert.deepEqual({ chat: policy.requests.length, pooling: prm.requests.length }, before);
    const report = JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')) as Report;
    // At τ 0.95 every scripted score (0.2 or 0.9) is below τ: the PRM predicts step 0 everywhere.
    for (const [subset, figures] of Object.entries(processBenchFigures(() => 0)))
      assert.ok(
        Math.abs(report.judgeEvaluation['qwen-prm']!.subsets[subset]!.f1 - figures.f1) < 1e-12,
        subset,
      );
    // A critic names its first error: τ changes nothing there.
    assert.deepEqual(report.judgeEvaluation.self!.subsets, first.judgeEvaluation.self!.subsets);

    const result = await evaluate('two-critiques.json');
    assertUsageFailure(
      result,
      /eval[\\/]evaluation\.json: this folder holds an evaluation made with other judges/,
    );
    assert.equal(policy.requests.length, before.chat);
  });
});

describe('rows in flight', () => {
  const config = (policy: number, prms: { concurrency: number; batchSize?: number }[]) =>
    RunConfigSchema.parse({
      policy: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm', concurrency: policy },
      prms: prms.map((prm, i) => ({
        id: `prm${i}`,
        kind: 'vllm-pooling',
        baseUrl: 'http://127.0.0.1:2',
        model: 'p',
        ...prm,
      })),
    });

  test('twice what the busiest endpoint takes at once, so a freed slot finds the next row waiting', () => {
    // A row stays in flight after its request (other judges, its run file): with only as many rows
    // as the busiest endpoint's slots, those slots idle in the meantime.
    assert.equal(defaultRowsInFlight(config(16, [{ concurrency: 4, batchSize: 8 }])), 64);
    assert.equal(defaultRowsInFlight(config(64, [{ concurrency: 4, batchSize: 8 }])), 128);
    assert.equal(defaultRowsInFlight(config(8, [])), 16);
  });
});
