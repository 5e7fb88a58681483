/**
 * `steplens evaluate` on problems without steps: a dataset run. 30 problems × k = 8 samples against
 * scripted endpoints (real HTTP, the real `openai` client) whose answers have known correctness;
 * Self-PRM critiques and PRM scores follow them. Then the process is SIGKILLed halfway and rerun:
 * the request counts prove nothing finished was asked for again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DatasetIndexSchema } from '../../src/core/dataset.js';
import { RunSchema } from '../../src/core/schemas.js';
import { readJournal } from '../../src/io/runJournal.js';
import { planText } from '../../src/jobs/progressText.js';
import { CLI, runInProcess } from '../cli.js';
import {
  type ChatReply,
  type ChatRequestBody,
  type PoolingRequestBody,
  poolingInputs,
  rewardPairs,
  type Stub,
  startStub,
  stepsIn,
} from '../fixtures/stubServer.js';

const PROBLEMS = 30;
const K = 8;
const problemText = (i: number) => `Problem ${i}: what is ${i} plus ${i + 7}?`;
const truth = (i: number) => 2 * i + 7;
/** Sample j of problem i is right unless (i + j) % 3 == 0; a wrong one is off by one. */
const isRight = (i: number, j: number) => (i + j) % 3 !== 0;
/** Problem 4 has no reference: its samples are judged, its correctness unknown. */
const NO_REFERENCE = 4;

/** The policy's c-th sample for problem i (c counts across runs, so a resumed run gets new ones). */
function solution(i: number, c: number): string {
  const answer = isRight(i, c) ? truth(i) : truth(i) + 1;
  return `Sample ${c}. Add ${i} and ${i + 7}.\n\nThat gives ${answer}.\n\nSo the answer is \\boxed{${answer}}.`;
}

/** Which problem and sample a text is about. */
function whichSolution(text: string): { i: number; c: number } | undefined {
  const match = /Sample (\d+)\. Add (\d+) and/.exec(text);
  return match ? { i: Number(match[2]), c: Number(match[1]) } : undefined;
}

let dir: string;
let policy: Stub;
let prm: Stub;
/** Slow answers for the kill test, so that the kill lands while work is in flight. */
let latencyMs = 0;
const sampled = new Map<number, number>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steplens-dataset-'));
  policy = await startStub({
    chat: (body: ChatRequestBody): ChatReply => {
      const prompt = body.messages.map((message) => message.content).join('\n');
      const solved = whichSolution(prompt);
      if (solved) {
        // A critique: Self-PRM calls right samples error-free and flags step 1 of wrong ones.
        const verdict = isRight(solved.i, solved.c) ? -1 : 1;
        return { latencyMs, choices: [{ content: `\\boxed{${verdict}}` }] };
      }
      const i = Number(/^Problem (\d+):/.exec(prompt)?.[1]);
      return {
        latencyMs,
        choices: Array.from({ length: body.n ?? 1 }, () => {
          const c = sampled.get(i) ?? 0;
          sampled.set(i, c + 1);
          return { content: solution(i, c) };
        }),
      };
    },
  });
  prm = await startStub({
    pooling: (body: PoolingRequestBody) => ({
      latencyMs,
      data: poolingInputs(body).map((input) => {
        const solved = whichSolution(input)!;
        const right = isRight(solved.i, solved.c);
        return rewardPairs([0.95, right ? 0.9 : 0.1, right ? 0.9 : 0.1].slice(0, stepsIn(input)));
      }),
    }),
  });
  const rows = Array.from({ length: PROBLEMS }, (_, i) =>
    JSON.stringify({
      id: `p-${i}`,
      problem: problemText(i),
      ...(i === NO_REFERENCE ? {} : { answer: `${truth(i)}` }),
    }),
  );
  // One malformed row (line 11): skipped, counted, named; the rest run.
  rows.splice(10, 0, JSON.stringify({ id: 'broken', problem: 42 }));
  writeFileSync(join(dir, 'problems.jsonl'), rows.join('\n'));
  writeFileSync(
    join(dir, 'steplens.json'),
    JSON.stringify({
      policy: {
        baseUrl: policy.baseUrl,
        model: 'policy-model',
        n: K,
        concurrency: 8,
        maxRetries: 0,
        timeoutMs: 5000,
      },
      selfJudge: { mode: 'critic', samples: 1 },
      prms: [
        {
          id: 'prm',
          kind: 'vllm-pooling',
          baseUrl: prm.url,
          model: 'prm-model',
          maxRetries: 0,
          batchSize: 8,
        },
      ],
    }),
  );
});

after(async () => {
  await Promise.all([policy.close(), prm.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const bodies = (stub: Stub, from = 0) =>
  stub.requests.slice(from).map((request) => request.body as ChatRequestBody & PoolingRequestBody);
const isCritique = (body: ChatRequestBody) =>
  body.messages.some((message) => message.content.includes('<paragraph_0>'));
/** What a stretch of requests asked for: sample slots, critiques, PRM inputs. */
function asked(from: { policy: number; prm: number }) {
  const chat = bodies(policy, from.policy);
  return {
    samples: chat.filter((body) => !isCritique(body)).reduce((sum, body) => sum + (body.n ?? 1), 0),
    critiques: chat.filter(isCritique).length,
    prmInputs: bodies(prm, from.prm).reduce((sum, body) => sum + poolingInputs(body).length, 0),
  };
}
const counts = () => ({ policy: policy.requests.length, prm: prm.requests.length });

/** Every sample of the index agrees with what the scripts made of its text. */
function assertConsistent(out: string) {
  const index = DatasetIndexSchema.parse(JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')));
  assert.equal(index.complete, true);
  assert.deepEqual(
    index.problems.map((problem) => problem.id),
    Array.from({ length: PROBLEMS }, (_, i) => `p-${i}`),
  );
  for (const problem of index.problems) {
    const i = Number(problem.id.slice(2));
    const run = RunSchema.parse(JSON.parse(readFileSync(join(out, problem.run), 'utf8')));
    assert.equal(run.problem.id, problem.id);
    assert.deepEqual(
      problem.samples.map((sample) => sample.index),
      Array.from({ length: K }, (_, j) => j),
    );
    for (const sample of problem.samples) {
      const { c } = whichSolution(run.samples[sample.index]!.text)!;
      const right = isRight(i, c);
      assert.equal(
        sample.correct,
        i === NO_REFERENCE ? undefined : right,
        `${problem.id} sample ${sample.index}`,
      );
      assert.equal(sample.answer, `${right ? truth(i) : truth(i) + 1}`);
      const { self, prm } = sample.judges;
      assert.deepEqual([self!.score, self!.firstError], [right ? 1 : 0, right ? -1 : 1]);
      assert.deepEqual([prm!.score, prm!.firstError], [right ? 0.9 : 0.1, right ? -1 : 1]);
      // Every aggregation of the PRM's step scores (0.95, then 0.9 or 0.1 twice) is kept.
      const p = right ? 0.9 : 0.1;
      assert.deepEqual(prm!.byAggregation, {
        min: p,
        product: 0.95 * p * p,
        last: p,
        mean: (0.95 + p + p) / 3,
      });
    }
  }
  return index;
}

describe('a dataset run', () => {
  test('30 problems × 8 samples: every sample judged and checked; the malformed row named and counted', async () => {
    const before = counts();
    const result = await runInProcess([
      'evaluate',
      join(dir, 'problems.jsonl'),
      '--config',
      join(dir, 'steplens.json'),
      '--out',
      join(dir, 'full'),
    ]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.deepEqual(
      [
        summary.problems,
        summary.finished,
        summary.reused,
        summary.samples,
        summary.failedSamples,
        summary.excluded,
      ],
      [PROBLEMS, PROBLEMS, 0, PROBLEMS * K, 0, 1],
    );
    assert.match(result.stderr, /excluded: .*problems\.jsonl, line 11, field "problem"/);
    const index = assertConsistent(join(dir, 'full'));
    assert.match(index.excluded[0]!, /line 11/);
    // One sampling request per problem (n = 8), one critique per sample, every sample to the PRM.
    assert.deepEqual(asked(before), {
      samples: PROBLEMS * K,
      critiques: PROBLEMS * K,
      prmInputs: PROBLEMS * K,
    });
    assert.equal(bodies(policy, before.policy).filter((body) => !isCritique(body)).length, PROBLEMS);
    // Tokens are summed per problem: sampling and each judge.
    const usage = index.problems[0]!.usage;
    assert.ok(usage.sampling.completionTokens > 0 && usage.judges.self!.promptTokens > 0);
    // Nothing in progress is left behind.
    assert.deepEqual(
      readdirSync(join(dir, 'full', 'runs')).filter((name) => name.includes('journal')),
      [],
    );

    // The report, against figures computed here from the scripted answers at k = k_max (all samples).
    const rights = index.problems
      .filter((problem) => problem.reference !== null)
      .map((problem) => {
        const run = RunSchema.parse(JSON.parse(readFileSync(join(dir, 'full', problem.run), 'utf8')));
        const i = Number(problem.id.slice(2));
        return run.samples.map((sample) => isRight(i, whichSolution(sample.text)!.c));
      });
    const share = (hit: (right: boolean[]) => boolean) => rights.filter(hit).length / rights.length;
    // Majority: right answers against one wrong answer; a tie goes to whichever sample 0 wrote.
    const majorityRight = (right: boolean[]) => {
      const r = right.filter(Boolean).length;
      return r > right.length - r || (r === right.length - r && right[0]!);
    };
    const report = JSON.parse(readFileSync(join(dir, 'full', 'report.json'), 'utf8'));
    const at = (method: string) => report.reranking.methods[method].mean.at(-1);
    assert.deepEqual(report.reranking.k, [1, 2, 4, 8]);
    assert.equal(report.reranking.problems, PROBLEMS - 1);
    assert.equal(report.reranking.excluded.noReference, 1);
    assert.equal(at('majority'), share(majorityRight));
    // Self-PRM calls exactly the right samples error-free; the PRM scores them highest.
    assert.equal(
      at('self-prm'),
      share((right) => right.some(Boolean)),
    );
    assert.equal(
      at('prm-best-of-n:prm'),
      share((right) => right.some(Boolean)),
    );
    assert.equal(
      at('oracle'),
      share((right) => right.some(Boolean)),
    );
    assert.equal(
      at('pass@k'),
      share((right) => right.some(Boolean)),
    );
    // Precision: Self-PRM's "correct" is always right here; no problem is hard enough (pass@1 ≥ 5/8).
    assert.deepEqual(report.selfPrecision.overall, { sPrm: 0, sTp: 0, precision: null, unjudged: 0 });
    assert.deepEqual(report.samples, { total: PROBLEMS * K, failed: 0, problemsShort: 0 });
    assert.equal(report.excluded.length, 1);
    const bucketed = report.precision.self.buckets.reduce(
      (sum: number, bucket: { problems: number }) => sum + bucket.problems,
      0,
    );
    assert.equal(bucketed, PROBLEMS - 1);
    assert.match(readFileSync(join(dir, 'full', 'report.md'), 'utf8'), /\| self-prm \| /);
    // The page beside them, titled by the folder's name, a line per method.
    const page = readFileSync(join(dir, 'full', 'report.html'), 'utf8');
    assert.match(page, /<h1>StepLens dataset report: full<\/h1>/);
    for (const method of Object.keys(report.reranking.methods))
      assert.ok(page.includes(`class="series" data-method="${method}"`), method);

    // `steplens report` rebuilds it with other subsets and seed: k_max stays exact.
    const rebuilt = await runInProcess(['report', join(dir, 'full'), '--subsets', '5', '--seed', '3']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.deepEqual(Object.keys(JSON.parse(rebuilt.stdout)), ['report', 'markdown', 'html']);
    const again5 = JSON.parse(readFileSync(join(dir, 'full', 'report.json'), 'utf8'));
    assert.deepEqual([again5.reranking.subsets, again5.reranking.seed], [5, 3]);
    assert.equal(again5.reranking.methods.majority.mean.at(-1), at('majority'));
    assert.equal((await runInProcess(['report', join(dir, 'full'), '--subsets', 'many'])).code, 2);

    // Rerun: everything reused, nothing requested.
    const again = counts();
    const rerun = await runInProcess([
      'evaluate',
      join(dir, 'problems.jsonl'),
      '--config',
      join(dir, 'steplens.json'),
      '--out',
      join(dir, 'full'),
      '--quiet',
    ]);
    assert.equal(JSON.parse(rerun.stdout).reused, PROBLEMS);
    assert.deepEqual(counts(), again);
  });

  test('killed with SIGKILL halfway and rerun: it completes, and nothing finished is requested again', async () => {
    const out = join(dir, 'killed');
    latencyMs = 40;
    const child = spawn(process.execPath, [
      CLI,
      'evaluate',
      join(dir, 'problems.jsonl'),
      '--config',
      join(dir, 'steplens.json'),
      '--out',
      out,
      '--quiet',
    ]);
    const start = counts();
    // Kill once a good part of the work is done (a problem finished) and more is in flight.
    const finishedOne = () => {
      try {
        return readdirSync(join(out, 'runs')).some((name) => name.endsWith('.json'));
      } catch {
        return false;
      }
    };
    await new Promise<void>((resolve) => {
      const check = () => {
        if (policy.requests.length - start.policy >= 90 && finishedOne()) {
          policy.events.off('request', check);
          resolve();
        }
      };
      policy.events.on('request', check);
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    latencyMs = 0;

    // What the killed process had finished: complete run files, and journals of problems in progress.
    const runs = readdirSync(join(out, 'runs'));
    const complete = runs.filter((name) => name.endsWith('.json')).length;
    // A kill between writing a run and removing its journal leaves both: the run is what counts.
    const journals = await Promise.all(
      runs
        .filter(
          (name) =>
            name.endsWith('.journal.jsonl') && !runs.includes(name.replace('.journal.jsonl', '.json')),
        )
        .map((name) => readJournal(join(out, 'runs', name))),
    );
    const journaled = journals.flatMap((journal) => journal.samples);
    const finishedJudgements = (judge: string) =>
      complete * K + journaled.filter((sample) => sample.judgements[judge] !== undefined).length;
    assert.ok(complete > 0 && complete < PROBLEMS, `the kill landed halfway (${complete} problems complete)`);
    assert.ok(journaled.length > 0, 'some problems were in progress');

    const before = counts();
    const rerun = await runInProcess([
      'evaluate',
      join(dir, 'problems.jsonl'),
      '--config',
      join(dir, 'steplens.json'),
      '--out',
      out,
      '--quiet',
    ]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(JSON.parse(rerun.stdout).reused, complete);
    assert.deepEqual(asked(before), {
      samples: PROBLEMS * K - complete * K - journaled.length,
      critiques: PROBLEMS * K - finishedJudgements('self'),
      prmInputs: PROBLEMS * K - finishedJudgements('prm'),
    });
    assertConsistent(out);
    assert.deepEqual(
      readdirSync(join(out, 'runs')).filter((name) => name.includes('journal')),
      [],
    );
  });

  const PRICED = () => {
    const config = JSON.parse(readFileSync(join(dir, 'steplens.json'), 'utf8'));
    config.policy.price = { inputPerMillion: 2, outputPerMillion: 8 };
    config.prms[0].price = { inputPerMillion: 1, outputPerMillion: 0 };
    writeFileSync(join(dir, 'priced.json'), JSON.stringify(config));
    return join(dir, 'priced.json');
  };
  const evaluate = (out: string, ...extra: string[]) =>
    runInProcess([
      'evaluate',
      join(dir, 'problems.jsonl'),
      '--config',
      extra.includes('--priced') ? PRICED() : join(dir, 'steplens.json'),
      '--out',
      join(dir, out),
      ...(extra.includes('--loud') ? [] : ['--quiet']),
      ...extra.filter((arg) => arg !== '--priced' && arg !== '--loud'),
    ]);

  test('--plan says what is left and what it may cost, and sends nothing', async () => {
    const before = counts();
    const fresh = await evaluate('planned', '--plan', '--priced');
    assert.equal(fresh.code, 0, fresh.stderr);
    const { plan } = JSON.parse(fresh.stdout);
    assert.deepEqual(counts(), before);
    assert.equal(readdirSync(dir).includes('planned'), false);
    assert.deepEqual(
      [plan.problems, plan.complete, plan.inProgress, plan.excluded.length],
      [PROBLEMS, 0, 0, 1],
    );
    // Nothing measured yet: tokens at the limits (policy maxTokens 32768 by default).
    assert.deepEqual(plan.bySource.sampling.requests, { low: PROBLEMS, high: PROBLEMS * K });
    assert.deepEqual(
      [plan.bySource.sampling.items, plan.bySource.sampling.basis],
      [PROBLEMS * K, 'upper bound'],
    );
    assert.equal(plan.bySource.sampling.tokens.completionTokens, PROBLEMS * K * 32768);
    assert.deepEqual(plan.bySource.prm.requests, { low: PROBLEMS, high: PROBLEMS * K });
    const sampling = plan.bySource.sampling.tokens;
    assert.ok(
      Math.abs(
        plan.cost.bySource.sampling - (sampling.promptTokens * 2 + sampling.completionTokens * 8) / 1e6,
      ) < 1e-9,
    );

    // A finished dataset: nothing left; one in progress: measured tokens per item.
    const done = JSON.parse((await evaluate('full', '--plan')).stdout).plan;
    assert.deepEqual(
      [done.complete, done.bySource.sampling.items, done.bySource.self.items],
      [PROBLEMS, 0, 0],
    );
    assert.deepEqual(counts(), before);
  });

  test("the shell is told the plan and the progress in the words of VS Code's notification", async () => {
    const planned = await evaluate('planned-loud', '--plan', '--priced', '--loud');
    const { plan } = JSON.parse(planned.stdout);
    // The summary VS Code confirms with, then each source's line.
    assert.ok(planned.stderr.startsWith(`${planText(plan)}\n`), planned.stderr);
    assert.match(
      planned.stderr,
      new RegExp(`\\n  sampling: ${(PROBLEMS * K).toLocaleString('en-US')} to do, requests `),
    );
    assert.match(planned.stderr, /\n {2}prm: .* to do, requests .*\(upper bound\), \$/);

    const run = await evaluate('loud', '--loud');
    assert.equal(run.code, 0, run.stderr);
    // Not a terminal: a plain line at the end (and every 10 s), the notification's line.
    const last = run.stderr.split('\n').filter((line) => line.startsWith('problems '));
    assert.ok(last.length >= 1, run.stderr);
    assert.match(
      last.at(-1)!,
      new RegExp(
        `^problems ${PROBLEMS}/${PROBLEMS} · samples ${PROBLEMS * K}/${PROBLEMS * K} · judgements \\d+ · requests \\d+ · tokens \\S+`,
      ),
    );
  });

  test('--max-requests stops at the limit, resumably; the rerun finishes the same dataset', async () => {
    const before = counts();
    const capped = await evaluate('capped', '--max-requests', '50');
    assert.equal(capped.code, 3, capped.stderr);
    const summary = JSON.parse(capped.stdout);
    assert.deepEqual([summary.stopped, summary.complete, summary.requests], ['max-requests', false, 50]);
    // Exactly 50 went out, and each of them finished: a limit lets what is in flight (paid for)
    // complete and sends nothing more, so no journal holds a sample cut short.
    const sent = counts();
    const arrived = sent.policy - before.policy + sent.prm - before.prm;
    assert.equal(arrived, 50);
    const runs = join(dir, 'capped', 'runs');
    // The problems in progress (journals) and those the drain let finish (run files).
    const journaled = await Promise.all(
      readdirSync(runs).map(async (name) =>
        name.endsWith('.journal.jsonl')
          ? (await readJournal(join(runs, name))).samples
          : RunSchema.parse(JSON.parse(readFileSync(join(runs, name), 'utf8'))).samples,
      ),
    );
    assert.ok(journaled.flat().length > 0);
    assert.deepEqual(
      journaled.flat().filter((sample) => sample.cancelled || sample.error),
      [],
      'no sample cut short or failed by the stop',
    );
    const rest = await evaluate('capped');
    assert.equal(rest.code, 0, rest.stderr);
    assertConsistent(join(dir, 'capped'));
  });

  test('--max-cost stops once the tokens used cost that much, resumably; cost is counted per endpoint', async () => {
    const capped = await evaluate('costly', '--priced', '--max-cost', '0.01');
    assert.equal(capped.code, 3, capped.stderr);
    const summary = JSON.parse(capped.stdout);
    assert.equal(summary.stopped, 'max-cost');
    assert.ok(summary.cost >= 0.01, `cost ${summary.cost}`);
    const rest = await evaluate('costly', '--priced');
    assert.equal(rest.code, 0, rest.stderr);
    const index = assertConsistent(join(dir, 'costly'));
    // The index prices every source from its tokens: sampling and self at the policy's price, the PRM at its own.
    const { usage, cost } = index;
    const expected =
      ((usage.sampling!.promptTokens + usage.self!.promptTokens) * 2 +
        (usage.sampling!.completionTokens + usage.self!.completionTokens) * 8 +
        (usage.prm?.promptTokens ?? 0) * 1) /
      1e6;
    assert.ok(Math.abs(cost.total! - expected) < 1e-9);
    assert.deepEqual(cost.unpriced, []);
    // Without prices there is nothing to stop at: refused before anything is sent.
    const unpriced = await evaluate('never', '--max-cost', '1');
    assert.equal(unpriced.code, 2);
    assert.match(
      unpriced.stderr,
      /--max-cost: needs a price for every endpoint that spends: .*none for sampling, self, prm/,
    );
    // A price on the PRM alone would let sampling and Self-PRM spend without limit: refused too.
    const partly = JSON.parse(readFileSync(PRICED(), 'utf8'));
    delete partly.policy.price;
    writeFileSync(join(dir, 'partly.json'), JSON.stringify(partly));
    const partial = await runInProcess([
      'evaluate',
      join(dir, 'problems.jsonl'),
      '--config',
      join(dir, 'partly.json'),
      '--out',
      join(dir, 'never'),
      '--max-cost',
      '1',
    ]);
    assert.equal(partial.code, 2);
    assert.match(partial.stderr, /none for sampling, self$/m);
  });

  test('another τ, or another reference, is read from the stored runs: nothing is requested again', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'steplens.json'), 'utf8'));
    config.threshold = 0.95;
    writeFileSync(join(dir, 'strict.json'), JSON.stringify(config));
    // p-1's reference changes from 9 to 10: its samples are checked again against it.
    const edited = readFileSync(join(dir, 'problems.jsonl'), 'utf8').replace('"answer":"9"', '"answer":"10"');
    writeFileSync(join(dir, 'edited.jsonl'), edited);
    const before = counts();
    const result = await runInProcess([
      'evaluate',
      join(dir, 'edited.jsonl'),
      '--config',
      join(dir, 'strict.json'),
      '--out',
      join(dir, 'full'),
      '--quiet',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).reused, PROBLEMS);
    assert.deepEqual(counts(), before);
    const index = DatasetIndexSchema.parse(
      JSON.parse(readFileSync(join(dir, 'full', 'dataset.json'), 'utf8')),
    );
    assert.equal(index.thresholds.prm, 0.95);
    // Step scores 0.95 then 0.9 (right) or 0.1 (wrong): at τ 0.95 step 1 is below τ everywhere.
    for (const problem of index.problems)
      for (const sample of problem.samples) assert.equal(sample.judges.prm!.firstError, 1, problem.id);
    // Self-PRM names its first error: τ changes nothing there.
    const p1 = index.problems.find((problem) => problem.id === 'p-1')!;
    assert.equal(p1.reference, '10');
    // The right answer was 9; now the wrong samples' 10 is right and the rest wrong.
    for (const sample of p1.samples) assert.equal(sample.correct, sample.answer === '10');
    const run = RunSchema.parse(JSON.parse(readFileSync(join(dir, 'full', p1.run), 'utf8')));
    assert.equal(run.problem.reference, '10');
  });

  test("a problem edited while in progress starts afresh: its journal's answers are to another text", async () => {
    const out = join(dir, 'edited-run');
    const first = await runInProcess([
      'evaluate',
      join(dir, 'problems.jsonl'),
      '--config',
      join(dir, 'steplens.json'),
      '--out',
      out,
      '--quiet',
      '--max-requests',
      '3',
    ]);
    assert.equal(first.code, 3, first.stderr);
    // The problem in progress with the most samples journaled (another may have been cut before any).
    const journals = await Promise.all(
      readdirSync(join(out, 'runs'))
        .filter((name) => name.endsWith('.journal.jsonl'))
        .map(async (name) => ({ name, kept: (await readJournal(join(out, 'runs', name))).samples.length })),
    );
    const fullest = journals.sort((a, b) => b.kept - a.kept)[0];
    assert.ok(fullest && fullest.kept > 0, 'a journal holds samples');
    const inProgress = fullest.name.replace('.journal.jsonl', '');
    const i = Number(inProgress.slice(2));
    const changed = readFileSync(join(dir, 'problems.jsonl'), 'utf8').replace(
      problemText(i),
      `${problemText(i)} Show your work.`,
    );
    writeFileSync(join(dir, 'changed.jsonl'), changed);
    const before = counts();
    const rest = await runInProcess([
      'evaluate',
      join(dir, 'changed.jsonl'),
      '--config',
      join(dir, 'steplens.json'),
      '--out',
      out,
      '--quiet',
    ]);
    assert.equal(rest.code, 0, rest.stderr);
    // The edited problem's k samples are all asked for again.
    const asked = bodies(policy, before.policy).filter(
      (body) => !isCritique(body) && body.messages[0]!.content.includes('Show your work.'),
    );
    assert.equal(
      asked.reduce((sum, body) => sum + (body.n ?? 1), 0),
      K,
    );
  });
});
