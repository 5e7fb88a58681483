/**
 * The demo endpoint (scripts/demo-endpoint.ts) over real HTTP: the real `openai` client and
 * StepLens's own pipeline talk to it. It serves the recorded ProcessBench solutions of a problem,
 * and its scripted judges agree with the human labels mostly, not always, the same way every time.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { DEMO_TRY_FILE, demoSettings } from '../../scripts/demo.js';
import {
  ANALYSIS_WINDOW_MS,
  type DemoRow,
  loadDemoRows,
  scriptedPrmScores,
  scriptedVerdicts,
  solutionText,
  startDemoEndpoint,
} from '../../scripts/demo-endpoint.js';
import { type RunConfig, RunConfigSchema } from '../../src/core/config.js';
import { type Problem, parseProblemFile } from '../../src/core/problems.js';
import { firstStepBelow } from '../../src/core/processbench.js';
import type { Run } from '../../src/core/schemas.js';
import { analyze } from '../../src/llm/pipeline.js';
import { SOLVE_INSTRUCTION } from '../../src/llm/sampler.js';
import { ROOT } from '../support.js';

type Endpoint = Awaited<ReturnType<typeof startDemoEndpoint>>;
let endpoint: Endpoint;
const rows = loadDemoRows();
const row = (id: string) => rows.find((r) => r.id === id)!;

before(async () => {
  endpoint = await startDemoEndpoint();
});
after(async () => endpoint.close());

function client(): OpenAI {
  return new OpenAI({ baseURL: endpoint.baseUrl, apiKey: 'demo', maxRetries: 0 });
}

function configFor(samples: number): RunConfig {
  const settings = demoSettings(endpoint.baseUrl, endpoint.url);
  const [prm] = settings['steplens.prms'] as { id: string; kind: string; baseUrl: string; model: string }[];
  return RunConfigSchema.parse({
    policy: {
      baseUrl: endpoint.baseUrl,
      model: settings['steplens.policy.model'],
      n: samples,
      timeoutMs: 5000,
      maxRetries: 0,
    },
    selfJudge: { mode: 'critic', samples: settings['steplens.selfJudge.critiques'] },
    prms: [{ ...prm, timeoutMs: 5000, maxRetries: 0 }],
  });
}

function exampleProblem(file: string): Problem {
  const [problem] = parseProblemFile(file, readFileSync(join(ROOT, 'examples', file), 'utf8'));
  return problem!;
}

async function analyzeWith(problem: Problem, samples: number, existingSteps = false): Promise<Run> {
  return analyze(problem, { config: configFor(samples), resolveKey: () => undefined, existingSteps });
}

describe('the sampled solutions are the recorded ones', () => {
  const problem = row('olympiadbench-4').problem;
  const ask = `${problem}\n\n${SOLVE_INSTRUCTION}`;
  const recorded = new Set([solutionText(row('olympiadbench-4')), solutionText(row('olympiadbench-504'))]);

  test('n = 2: both recorded solutions of the problem, one right and one wrong', async () => {
    const completion = await client().chat.completions.create({
      model: 'm',
      n: 2,
      messages: [{ role: 'user', content: ask }],
    });
    assert.deepEqual(new Set(completion.choices.map((choice) => choice.message.content)), recorded);
  });

  test('streamed (as StepLens samples): the same texts, chunk by chunk, with usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'm',
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: ask }],
    });
    const texts = ['', ''];
    let usage: unknown;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.deepEqual(new Set(texts), recorded);
    assert.ok(usage);
  });

  test('a problem with no recorded solution is refused, saying so', async () => {
    await assert.rejects(
      client().chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: `What is 1 + 1?\n\n${SOLVE_INSTRUCTION}` }],
      }),
      (error: unknown) =>
        error instanceof OpenAI.APIError &&
        error.status === 400 &&
        /no recorded solution/.test(error.message),
    );
  });

  test('through the pipeline: the example file’s samples are the recorded steps, exactly', async () => {
    const run = await analyzeWith(exampleProblem(DEMO_TRY_FILE), 2);
    const byId = run.samples.map((sample) =>
      ['olympiadbench-4', 'olympiadbench-504'].find((id) => sample.text === solutionText(row(id))),
    );
    assert.deepEqual([...byId].sort(), ['olympiadbench-4', 'olympiadbench-504']);
    for (const [i, sample] of run.samples.entries()) assert.deepEqual(sample.steps, row(byId[i]!).steps);
    assert.deepEqual(
      run.samples.map((sample) => sample.correct),
      byId.map((id) => row(id!).final_answer_correct),
    );
  });

  test('more samples than were recorded: the extra one fails with a message, none is invented; then one request per sample gives the same run', async () => {
    // An endpoint of its own: after fewer choices than asked, StepLens sends single requests to it.
    let clock = 0;
    const own = await startDemoEndpoint({ now: () => clock });
    try {
      const config = (samples: number) => ({
        ...configFor(samples),
        policy: { ...configFor(samples).policy, baseUrl: own.baseUrl },
      });
      const prms = (samples: number) => configFor(samples).prms.map((prm) => ({ ...prm, baseUrl: own.url }));
      const run = (problem: Problem) =>
        analyze(problem, { config: { ...config(2), prms: prms(2) }, resolveKey: () => undefined });

      const single = await run(exampleProblem('processbench-rows.jsonl'));
      assert.equal(single.samples.filter((sample) => !sample.error).length, 1);
      assert.match(
        single.samples.find((sample) => sample.error)?.error ?? '',
        /recorded 1 solution\(s\).*gsm8k-0.*no more are made up/,
      );
      const requests = own.requests.length;

      clock += ANALYSIS_WINDOW_MS + 1;
      const again = await run(exampleProblem(DEMO_TRY_FILE));
      const sent = own.requests.slice(requests).map((request) => (request.body as { n?: number }).n ?? 1);
      assert.ok(
        sent.every((n) => n === 1),
        'one request per sample and per critique now',
      );
      const reference = await analyzeWith(exampleProblem(DEMO_TRY_FILE), 2);
      const summary = (r: Run) =>
        r.samples
          .map((sample) => [
            sample.text,
            sample.judgements.self?.verdicts?.toSorted(),
            sample.judgements['scripted-prm']?.stepScores,
          ])
          .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      assert.deepEqual(summary(again), summary(reference));
    } finally {
      await own.close();
    }
  });
});

describe('the scripted judges', () => {
  test('the "Try:" problem is a disagreement: Self-PRM passes the wrong solution, the PRM flags it', async () => {
    const run = await analyzeWith(exampleProblem(DEMO_TRY_FILE), 2);
    const wrong = run.samples.find((sample) => sample.correct === false)!;
    const right = run.samples.find((sample) => sample.correct === true)!;
    assert.equal(wrong.judgements.self?.firstError, -1);
    assert.equal(wrong.judgements['scripted-prm']?.firstError, row('olympiadbench-4').label);
    assert.equal(right.judgements.self?.firstError, -1);
    const pick = (method: string) => run.rerank.find((p) => p.method === method);
    assert.equal(pick('prm-best-of-n')?.correct, true);
  });

  test('on all 40 rows, read by StepLens: mostly right, not always; both wrong sometimes; disagreeing sometimes', async () => {
    const problems = parseProblemFile(
      'rows.jsonl',
      readFileSync(join(ROOT, 'test/fixtures/processbench_sample_40.jsonl'), 'utf8'),
    );
    const verdicts: { row: DemoRow; self: number; prm: number }[] = [];
    for (const problem of problems) {
      const run = await analyzeWith(problem, 1, true);
      const [sample] = run.samples;
      const self = sample!.judgements.self?.firstError;
      const prm = sample!.judgements['scripted-prm']?.firstError;
      assert.ok(
        typeof self === 'number' && typeof prm === 'number',
        `${problem.id}: ${JSON.stringify(sample!.judgements)}`,
      );
      verdicts.push({ row: row(problem.id), self, prm });
    }
    const selfRight = verdicts.filter((v) => v.self === v.row.label).length;
    const prmRight = verdicts.filter((v) => v.prm === v.row.label).length;
    const bothWrong = verdicts.filter((v) => v.self !== v.row.label && v.prm !== v.row.label).length;
    const disagree = verdicts.filter((v) => v.self !== v.prm).length;
    // Fixed by the seeds: these are the demo's numbers, the same on every run.
    assert.deepEqual(
      { selfRight, prmRight, bothWrong, disagree },
      { selfRight: 29, prmRight: 34, bothWrong: 2, disagree: 13 },
    );
    // Self-PRM is lenient: it calls some wrong solutions correct, and more on the hard subsets.
    const lenient = verdicts
      .filter((v) => v.row.label >= 0 && v.self === -1)
      .map((v) => v.row.id.split('-')[0]);
    assert.ok(lenient.length >= 3);
    assert.ok(
      lenient.filter((s) => s === 'olympiadbench' || s === 'omnimath').length >
        lenient.filter((s) => s === 'gsm8k').length,
    );
  });

  test('the same row gets the same critiques and scores every time', () => {
    for (const r of rows) {
      assert.deepEqual(scriptedVerdicts(r, 4), scriptedVerdicts(r, 4));
      assert.deepEqual(scriptedVerdicts(r, 8).slice(0, 4), scriptedVerdicts(r, 4));
      assert.deepEqual(scriptedPrmScores(r), scriptedPrmScores(r));
      assert.equal(scriptedPrmScores(r).length, r.steps.length);
    }
  });

  test('row gsm8k-0 gets the real Qwen2.5-Math-PRM-7B scores, which flag its human first error', () => {
    const real = JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/vllm_fixture_qwen2_5_math_prm_reward_step.json'), 'utf8'),
    ) as [number, number][][];
    assert.deepEqual(
      scriptedPrmScores(row('gsm8k-0')),
      real[0]!.map(([, right]) => right),
    );
    assert.equal(firstStepBelow(scriptedPrmScores(row('gsm8k-0')), 0.5), row('gsm8k-0').label);
  });

  test('the critique says it is scripted, and a structured-output request gets the verdict as JSON', async () => {
    const run = await analyzeWith(exampleProblem(DEMO_TRY_FILE), 2);
    for (const sample of run.samples) {
      for (const raw of sample.judgements.self?.raw ?? []) assert.match(raw, /SCRIPTED critique/);
    }
    const r = row('math-4');
    const paragraphs = r.steps.map((step, i) => `<paragraph_${i}>\n${step}\n</paragraph_${i}>`).join('\n\n');
    const completion = await client().chat.completions.create({
      model: 'm',
      n: 4,
      messages: [{ role: 'user', content: `${r.problem}\n\n${paragraphs}` }],
      response_format: { type: 'json_schema', json_schema: { name: 'critic_verdict', schema: {} } },
    });
    assert.deepEqual(
      completion.choices.map((choice) => JSON.parse(choice.message.content ?? '').first_error_paragraph),
      scriptedVerdicts(r, 4),
    );
  });
});
