/**
 * `steplens evaluate` with `"protocol": "processbench"` over the 40 real ProcessBench rows in the
 * fixtures (four subset files, as ProcessBench ships them), against scripted endpoints over real
 * HTTP: Self-PRM voting over 4 critiques, a greedy chat-critic PRM and an RLHFlow PRM. The scripts
 * hold ties, out-of-range indices, unparseable and missing boxes, reasoning returned apart and a
 * failed request. The expected figures are computed here from ProcessBench's published rules
 * (code/run_eval.py, code/run_eval_prm_rlhflow.py), independently of src/core/processbench.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertUsageFailure, runInProcess } from '../cli.js';
import {
  PB_ROWS,
  PB_SUBSETS,
  type PbRow,
  pbSubsetOf,
  processBenchFigures,
} from '../fixtures/processbenchRows.js';
import { type ChatReply, type ChatRequestBody, type Stub, startStub } from '../fixtures/stubServer.js';

const rows = PB_ROWS;
const subsetOf = pbSubsetOf;
const SUBSETS = PB_SUBSETS;

/** StepLens's own words in ProcessBench's template format: `{{`/`}}` are literal braces. */
const TEMPLATE = `
Review the solution below paragraph by paragraph.

Problem:
{problem}

Solution:
{tagged_response}

Name the index of the first wrong paragraph, or -1 when all are right, as \\boxed{{index}}.
`;

/** A wrong first error for a row: −1 for an erroneous row, 0 for a correct one. */
const wrong = (row: PbRow) => (row.label === -1 ? 0 : -1);
const box = (value: string | number) => `So the answer is \\boxed{${value}}.`;

/** Self-PRM's four critiques per row, by position; `reasoning` is returned apart from the content. */
function selfCritiques(
  index: number,
  row: PbRow,
): (string | { content: string; reasoning_content: string })[] {
  const label = row.label;
  switch (index % 6) {
    case 0: // Agreement, with ProcessBench's strip and int(): " +2 " style spellings.
      return [box(` ${label} `), box(label), box(label), box(wrong(row))];
    case 1: // A 2–2 tie: the string seen first in critique order wins (here the wrong one).
      return [box(wrong(row)), box(label), box(label), box(wrong(row))];
    case 2: // The most common string names a paragraph that does not exist: a miss, not a failure.
      return [box(row.steps.length + 3), box(row.steps.length + 3), box(label), 'no box here'];
    case 3: // The most common string is no integer: no prediction, though one critique had the label.
      return [box('paragraph_1'), box('paragraph_1'), box(label), box('\\text{1}')];
    case 4: // No box at all.
      return ['I cannot tell.', 'Unsure.', '', 'Maybe.'];
    default: // The verdict is in the reasoning the server returned apart; the content has none.
      return Array.from({ length: 4 }, () => ({
        content: 'Done reviewing.',
        reasoning_content: `Paragraph by paragraph… ${box(label)}`,
      }));
  }
}
const SELF_FAILS = 7;

/** The greedy chat-critic PRM: right on even rows, "-1" on odd ones, a nested box on every fifth. */
function criticReply(index: number, row: PbRow): string {
  if (index % 5 === 4) return `\\boxed{\\text{${row.label}}}`;
  return index % 2 === 0 ? box(row.label) : box(' -1 ');
}

/** The RLHFlow PRM: "+" for every step before the label, "-" at it; misses the error on every third row. */
const rlhflowSays = (index: number, row: PbRow, step: number) =>
  index % 3 !== 2 && step === row.label ? '-' : '+';

/** The row a critique request is about: its problem and its last step (a problem may come twice). */
const rowOfPrompt = (text: string) =>
  rows.findIndex(
    (row) => text.includes(row.problem.slice(0, 120)) && text.includes(row.steps.at(-1)!.slice(0, 120)),
  );

/** The row an RLHFlow conversation is about: its first turn and its steps so far, exactly. */
function rowOfConversation(messages: ChatRequestBody['messages']): number {
  const users = messages.filter((message) => message.role === 'user').map((message) => message.content);
  const matches = rows
    .map((row, index) => ({ row, index }))
    .filter(
      ({ row }) =>
        users[0] === `${row.problem}\n\n${row.steps[0]}` &&
        users.slice(1).every((content, k) => content === row.steps[k + 1]),
    );
  return matches.length === 1 ? matches[0]!.index : -1;
}

// ---------------------------------------------------------------------------------------------
// ProcessBench's rules, written out here from its published scripts (the F1 figures from its
// predictions: test/fixtures/processbenchRows.ts).

const BOXED = /\\boxed\{([^}]*)\}/g;
const extract = (text: string) => {
  const all = [...text.matchAll(BOXED)];
  return all.length === 0 ? null : all.at(-1)![1]!.trim();
};
/** Python's int() on what run_eval.py extracts (decimal, sign, surrounding spaces). */
const pyInt = (text: string) => (/^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : null);
/** Counter(preds).most_common(1): equal counts keep first-encountered order. */
function vote(texts: readonly string[]): number | null {
  const preds = texts.map(extract).filter((pred): pred is string => pred !== null);
  if (preds.length === 0) return null;
  const counts = new Map<string, number>();
  for (const pred of preds) counts.set(pred, (counts.get(pred) ?? 0) + 1);
  const top = Math.max(...counts.values());
  return pyInt([...counts].find(([, count]) => count === top)![0]);
}
function rlhflowPrediction(index: number, row: PbRow): number {
  for (let step = 0; step < row.steps.length; step++) if (rlhflowSays(index, row, step) !== '+') return step;
  return -1;
}

const selfText = (index: number, row: PbRow) =>
  selfCritiques(index, row).map((critique) =>
    typeof critique === 'string' ? critique : `${critique.reasoning_content}\n${critique.content}`,
  );
const selfPrediction = (index: number, row: PbRow) =>
  index === SELF_FAILS ? null : vote(selfText(index, row));

// ---------------------------------------------------------------------------------------------

let dir: string;
let policy: Stub;
let criticStub: Stub;
let rlhflow: Stub;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steplens-evaluate-pb-'));
  policy = await startStub({
    chat: (body): ChatReply => {
      const index = rowOfPrompt(body.messages.map((message) => message.content).join('\n'));
      if (index === -1) return { fault: { kind: 'status', status: 400, message: 'unknown row' } };
      if (index === SELF_FAILS)
        return { fault: { kind: 'status', status: 500, message: 'scripted failure' } };
      const critiques = selfCritiques(index, rows[index]!);
      return {
        choices: critiques.map((critique) =>
          typeof critique === 'string' ? { content: critique } : critique,
        ),
      };
    },
  });
  criticStub = await startStub({
    chat: (body): ChatReply => {
      const index = rowOfPrompt(body.messages.map((message) => message.content).join('\n'));
      if (index === -1) return { fault: { kind: 'status', status: 400, message: 'unknown row' } };
      return { choices: [{ content: criticReply(index, rows[index]!) }] };
    },
  });
  rlhflow = await startStub({
    chat: (body): ChatReply => {
      const index = rowOfConversation(body.messages);
      if (index === -1)
        return { fault: { kind: 'status', status: 400, message: 'unknown or ambiguous row' } };
      const step = body.messages.filter((message) => message.role === 'user').length - 1;
      return { choices: [{ content: rlhflowSays(index, rows[index]!, step) }] };
    },
  });
  for (const subset of SUBSETS) {
    const mine = rows.filter((row) => subsetOf(row) === subset);
    writeFileSync(
      join(dir, `${subset}.${subset === 'gsm8k' ? 'json' : 'jsonl'}`),
      subset === 'gsm8k' ? JSON.stringify(mine) : mine.map((row) => JSON.stringify(row)).join('\n'),
    );
  }
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'critique.txt'), TEMPLATE);
  writeFileSync(join(dir, 'elsewhere-critique.txt'), TEMPLATE);
  writeFileSync(join(dir, 'steplens.json'), JSON.stringify(config()));
});

after(async () => {
  await Promise.all([policy.close(), criticStub.close(), rlhflow.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function config(overrides: Record<string, unknown> = {}) {
  return {
    protocol: 'processbench',
    policy: {
      baseUrl: policy.baseUrl,
      model: 'Qwen/QwQ-32B',
      concurrency: 8,
      maxRetries: 0,
      timeoutMs: 5000,
    },
    // Relative to the config file's folder.
    selfJudge: { mode: 'critic', samples: 4, maxTokens: 32768, template: 'templates/critique.txt' },
    prms: [
      {
        id: 'greedy-critic',
        kind: 'chat-critic',
        baseUrl: criticStub.baseUrl,
        model: 'Qwen/Qwen2.5-72B-Instruct',
        samples: 1,
        maxRetries: 0,
        // An absolute path is taken as it is.
        template: join(dir, 'elsewhere-critique.txt'),
      },
      {
        id: 'rlhflow',
        kind: 'rlhflow',
        baseUrl: rlhflow.baseUrl,
        model: 'RLHFlow/Llama3.1-8B-PRM-Mistral-Data',
        maxRetries: 0,
        maxInputTokens: 16384,
      },
    ],
    ...overrides,
  };
}

const files = () => SUBSETS.map((subset) => join(dir, `${subset}.${subset === 'gsm8k' ? 'json' : 'jsonl'}`));
const evaluate = (configFile = 'steplens.json', out = 'eval') =>
  runInProcess([
    'evaluate',
    ...files(),
    '--config',
    join(dir, configFile),
    '--out',
    join(dir, out),
    '--quiet',
  ]);

interface SubsetFigures {
  n: number;
  errorAccuracy: number;
  correctAccuracy: number;
  f1: number;
  failed: number;
  noPrediction: number;
}
interface Report {
  protocol: string;
  complete: boolean;
  judgeEvaluation: Record<string, { subsets: Record<string, SubsetFigures>; average: { f1: number } }>;
}

describe('steplens evaluate with the processbench protocol', () => {
  test('every judge’s F1 per subset equals ProcessBench’s rules applied to the scripted critiques', async () => {
    const result = await evaluate();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).judged, 40);
    const report = JSON.parse(readFileSync(join(dir, 'eval', 'report.json'), 'utf8')) as Report;
    assert.equal(report.protocol, 'processbench');

    const expected = {
      self: processBenchFigures(selfPrediction),
      'greedy-critic': processBenchFigures((index, row) => pyInt(extract(criticReply(index, row)) ?? 'x')),
      rlhflow: processBenchFigures(rlhflowPrediction),
    };
    for (const [judge, want] of Object.entries(expected)) {
      for (const [subset, figures] of Object.entries(want)) {
        const got = report.judgeEvaluation[judge]!.subsets[subset]!;
        for (const key of ['n', 'errorAccuracy', 'correctAccuracy', 'f1'] as const)
          assert.ok(
            Math.abs(got[key] - figures[key]) < 1e-12,
            `${judge} ${subset} ${key}: ${got[key]} vs ${figures[key]}`,
          );
      }
      const mean = SUBSETS.reduce((sum, subset) => sum + want[subset]!.f1, 0) / SUBSETS.length;
      assert.ok(Math.abs(report.judgeEvaluation[judge]!.average.f1 - mean) < 1e-12, `${judge} average`);
    }
    // The scripts are not trivial: each kind of miss happens, and the judges differ.
    assert.notEqual(report.judgeEvaluation.self!.average.f1, report.judgeEvaluation.rlhflow!.average.f1);

    // Failures and missing predictions are counted apart, per subset. Row 7 (gsm8k-202) failed; rows
    // 3, 4, 9, 10, 15, 16, 21, 22, 27, 28, 33, 34, 39 (positions 3 and 4 mod 6) have no prediction.
    const self = report.judgeEvaluation.self!.subsets;
    assert.deepEqual(
      SUBSETS.map((subset) => [self[subset]!.failed, self[subset]!.noPrediction]),
      SUBSETS.map((subset) => {
        const mine = rows.map((row, index) => ({ row, index })).filter(({ row }) => subsetOf(row) === subset);
        return [
          mine.filter(({ index }) => index === SELF_FAILS).length,
          mine.filter(({ index }) => index !== SELF_FAILS && index % 6 >= 3 && index % 6 <= 4).length,
        ];
      }),
    );
    // Nested braces are cut at the first "}" by ProcessBench's regex: "\text{2" is no integer.
    assert.equal(
      report.judgeEvaluation['greedy-critic']!.subsets.gsm8k!.noPrediction,
      rows.filter((row, index) => subsetOf(row) === 'gsm8k' && index % 5 === 4).length,
    );
  });

  test('each row’s predictions and extracted boxes are kept for inspection', () => {
    const results = readFileSync(join(dir, 'eval', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { id: string; judges: Record<string, { prediction: number | null }> },
      );
    assert.equal(results.length, 40);
    for (const [index, row] of rows.entries()) {
      const result = results.find((entry) => entry.id === row.id)!;
      assert.equal(result.judges.self!.prediction, selfPrediction(index, row), `${row.id} self`);
      assert.equal(result.judges.rlhflow!.prediction, rlhflowPrediction(index, row), `${row.id} rlhflow`);
    }
    // Row 2 (gsm8k-2, 4 steps): the winning "7" names no paragraph; it is kept as predicted.
    assert.equal(results.find((entry) => entry.id === 'gsm8k-2')!.judges.self!.prediction, 7);
    // Row 1 (gsm8k-1): the run file keeps each critique's box in critique order, and the tie's winner.
    const run = JSON.parse(readFileSync(join(dir, 'eval', 'runs', 'gsm8k', 'gsm8k-1.json'), 'utf8'));
    const judgement = run.samples[0].judgements.self;
    assert.deepEqual(judgement.boxed, ['-1', '1', '1', '-1']);
    assert.equal(judgement.prediction, -1);
    assert.equal(judgement.firstError, -1);
  });

  test('requests are ProcessBench’s: template filled, voting as one request, greedy, RLHFlow turns', () => {
    const bodies = (stub: Stub) => stub.requests.map((request) => request.body as ChatRequestBody);
    const selfRequest = bodies(policy).find((body) => rowOfPrompt(body.messages[0]!.content) === 0)!;
    const row = rows[0]!;
    const tagged = row.steps
      .map((step, index) => `<paragraph_${index}>\n${step}\n</paragraph_${index}>`)
      .join('\n\n');
    assert.deepEqual(selfRequest.messages, [
      {
        role: 'user',
        content: `Review the solution below paragraph by paragraph.\n\nProblem:\n${row.problem}\n\nSolution:\n${tagged}\n\nName the index of the first wrong paragraph, or -1 when all are right, as \\boxed{index}.`,
      },
    ]);
    assert.deepEqual(
      [selfRequest.n, selfRequest.temperature, selfRequest.top_p, selfRequest.max_tokens],
      [4, 1, 0.9, 32768],
    );
    // One request per row (n = 4), never four.
    assert.equal(policy.requests.length, 40);

    const greedy = bodies(criticStub);
    assert.equal(greedy.length, 40);
    for (const body of greedy) {
      assert.equal(body.temperature, 0);
      assert.equal(body.top_p, undefined);
      assert.equal(body.n, undefined);
    }

    // RLHFlow: one greedy token per step up to the first "-", never beyond it.
    const expectedTurns = rows.reduce((sum, row, index) => {
      const prediction = rlhflowPrediction(index, row);
      return sum + (prediction === -1 ? row.steps.length : prediction + 1);
    }, 0);
    assert.equal(rlhflow.requests.length, expectedTurns);
    const third = bodies(rlhflow).find((body) => body.messages.length === 5)!;
    assert.deepEqual(
      third.messages.map((message) => message.role),
      ['user', 'assistant', 'user', 'assistant', 'user'],
    );
    assert.deepEqual([third.messages[1]!.content, third.temperature, third.max_tokens], ['+', 0, 1]);
  });

  test('a changed template is another evaluation: refused for the same folder', async () => {
    writeFileSync(join(dir, 'templates', 'critique.txt'), `${TEMPLATE}\nBe brief.`);
    try {
      const before = policy.requests.length;
      const result = await evaluate();
      assertUsageFailure(
        result,
        /evaluation\.json: this folder holds an evaluation made with other judges, prompts or templates/,
      );
      assert.equal(policy.requests.length, before);
    } finally {
      writeFileSync(join(dir, 'templates', 'critique.txt'), TEMPLATE);
    }
  });

  test('settings the protocol cannot honour, and a template it could not fill, are refused by name', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'with-temperature.json',
        { selfJudge: { mode: 'critic', samples: 4, temperature: 0.6, template: 'templates/critique.txt' } },
        /field "selfJudge\.temperature": the processbench protocol sets the temperature itself/,
      ],
      [
        'no-template.json',
        { selfJudge: { mode: 'critic', samples: 1 } },
        /field "selfJudge\.template": the processbench protocol needs the critique template file/,
      ],
      [
        'stepwise.json',
        { selfJudge: { mode: 'stepwise' } },
        /field "selfJudge\.mode": the processbench protocol judges by critique/,
      ],
    ];
    for (const [name, overrides, message] of cases) {
      writeFileSync(join(dir, name), JSON.stringify(config(overrides)));
      assertUsageFailure(await evaluate(name, `out-${name}`), message);
    }
    writeFileSync(join(dir, 'templates', 'bad.txt'), 'Problem: {problem}\nAnswer in \\boxed{}.');
    writeFileSync(
      join(dir, 'bad-template.json'),
      JSON.stringify(config({ selfJudge: { mode: 'critic', samples: 1, template: 'templates/bad.txt' } })),
    );
    assertUsageFailure(
      await evaluate('bad-template.json', 'out-bad'),
      /templates[\\/]bad\.txt: critique template of judge "self": unknown placeholder "\{\}"/,
    );
  });
});
