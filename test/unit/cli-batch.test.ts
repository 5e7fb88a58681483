/**
 * `steplens batch export|import`: a dataset run's chat requests through a batch engine. The same
 * scripted problems run once online (`steplens evaluate`, the real `openai` client) and once as
 * export → run-batch (test/fixtures/runBatch.ts against a stub server) → import, for the samples and
 * then the Self-PRM critiques, with PRMs finished online; both dataset.json files must agree on every
 * sample's answer, correctness, and each judge's score and first error. Output lines come shuffled,
 * repeated and failed; failed ones are asked again by the next export; unknown custom_ids are reported.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DatasetIndexSchema } from '../../src/core/dataset.js';
import { readJournal } from '../../src/io/runJournal.js';
import { jsonLines, runCli, runInProcess } from '../cli.js';
import { runBatch } from '../fixtures/runBatch.js';
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

const PROBLEMS = 12;
const K = 4;
const CRITIQUES = 2;
const NO_REFERENCE = 4;
const problemText = (i: number) => `Problem ${i}: what is ${i} plus ${i + 7}?`;
const truth = (i: number) => 2 * i + 7;
/** The c-th sample drawn for problem i is right unless (i + c) % 3 == 0. */
const isRight = (i: number, c: number) => (i + c) % 3 !== 0;

function solution(i: number, c: number): string {
  const answer = isRight(i, c) ? truth(i) : truth(i) + 1;
  return `Sample ${c}. Add ${i} and ${i + 7}.\n\nThat gives ${answer}.\n\nSo the answer is \\boxed{${answer}}.`;
}

function whichSolution(text: string): { i: number; c: number } | undefined {
  const match = /Sample (\d+)\. Add (\d+) and/.exec(text);
  return match ? { i: Number(match[2]), c: Number(match[1]) } : undefined;
}

/**
 * A policy whose c-th sample of a problem is solution(i, c), counted per server: the online run's
 * one request for n samples and the batch's n one-sample lines (sent in order) draw the same texts.
 * Critiques: right samples error-free twice; a wrong one flagged at step 1, then at step 0 (a tie
 * the earliest flag wins).
 */
function scriptedPolicy(): Promise<Stub> {
  const drawn = new Map<number, number>();
  return startStub({
    chat: (body: ChatRequestBody): ChatReply => {
      const prompt = body.messages.map((message) => message.content).join('\n');
      const solved = whichSolution(prompt);
      if (solved) {
        const verdicts = isRight(solved.i, solved.c) ? [-1, -1] : [1, 0];
        return {
          choices: Array.from({ length: body.n ?? 1 }, (_, k) => ({
            content: `Checked.\n\n\\boxed{${verdicts[k % 2]}}`,
          })),
        };
      }
      const i = Number(/^Problem (\d+):/.exec(prompt)?.[1]);
      return {
        choices: Array.from({ length: body.n ?? 1 }, () => {
          const c = drawn.get(i) ?? 0;
          drawn.set(i, c + 1);
          return { content: solution(i, c) };
        }),
      };
    },
  });
}

let dir: string;
let online: Stub;
let batch: Stub;
let prm: Stub;

const config = (policy: Stub) =>
  JSON.stringify({
    policy: { baseUrl: policy.baseUrl, model: 'policy-model', n: K, maxRetries: 0, timeoutMs: 5000 },
    selfJudge: { mode: 'critic', samples: CRITIQUES },
    prms: [{ id: 'prm', kind: 'vllm-pooling', baseUrl: prm.url, model: 'prm-model', maxRetries: 0 }],
  });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steplens-batch-'));
  [online, batch] = await Promise.all([scriptedPolicy(), scriptedPolicy()]);
  prm = await startStub({
    pooling: (body: PoolingRequestBody) => ({
      data: poolingInputs(body).map((input) => {
        const solved = whichSolution(input)!;
        const right = isRight(solved.i, solved.c);
        return rewardPairs([0.95, right ? 0.9 : 0.1, right ? 0.8 : 0.2].slice(0, stepsIn(input)));
      }),
    }),
  });
  writeFileSync(
    join(dir, 'problems.jsonl'),
    Array.from({ length: PROBLEMS }, (_, i) =>
      JSON.stringify({
        id: `p-${i}`,
        problem: problemText(i),
        ...(i === NO_REFERENCE ? {} : { answer: `${truth(i)}` }),
      }),
    ).join('\n'),
  );
  writeFileSync(join(dir, 'online.json'), config(online));
  writeFileSync(join(dir, 'batch.json'), config(batch));
});

after(async () => {
  await Promise.all([online.close(), batch.close(), prm.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const problems = () => join(dir, 'problems.jsonl');
const batchArgs = (out: string) => [problems(), '--config', join(dir, 'batch.json'), '--out', out];

/** A batch command's printed counts (and names). */
type Summary = Record<string, number | string | undefined>;

async function cli(args: string[]): Promise<Summary> {
  const result = await runInProcess(args);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Summary;
}

const exportStage = (out: string, stage: string, requests: string) =>
  cli(['batch', 'export', ...batchArgs(out), '--stage', stage, '--requests', requests]);
const importResults = (out: string, ...results: string[]) =>
  cli(['batch', 'import', ...batchArgs(out), ...results.flatMap((file) => ['--results', file])]);
const customIds = (requests: string) =>
  jsonLines(readFileSync(requests, 'utf8')).map((line) => (line as { custom_id: string }).custom_id);

/** What both paths must agree on: per sample its answer, correctness and each judge's verdict. */
function outcome(out: string) {
  const index = DatasetIndexSchema.parse(JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')));
  assert.equal(index.complete, true);
  return index.problems.map((problem) => ({
    id: problem.id,
    samples: problem.samples.map((sample) => ({
      index: sample.index,
      answer: sample.answer,
      correct: sample.correct,
      failed: sample.failed,
      steps: sample.steps,
      judges: sample.judges,
    })),
  }));
}

/** Each judge's solution score and first error (the index also keeps every aggregation). */
const verdicts = (judges: Record<string, { score: number | null; firstError: number | null }>) =>
  Object.fromEntries(
    Object.entries(judges).map(([id, judge]) => [id, { score: judge.score, firstError: judge.firstError }]),
  );

describe('batch files', () => {
  test('export → run-batch → import (samples, then critiques) → evaluate gives the online dataset', async () => {
    const onlineOut = join(dir, 'online');
    const result = await runInProcess([
      'evaluate',
      problems(),
      '--config',
      join(dir, 'online.json'),
      '--out',
      onlineOut,
      '--quiet',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const expected = outcome(onlineOut);
    // The script's figures are there: right and wrong samples, a tie the earliest flag wins.
    assert.deepEqual(verdicts(expected[1]!.samples[2]!.judges), {
      self: { score: 0, firstError: 0 },
      prm: { score: 0.1, firstError: 1 },
    });
    assert.deepEqual(verdicts(expected[1]!.samples[0]!.judges), {
      self: { score: 1, firstError: -1 },
      prm: { score: 0.8, firstError: -1 },
    });

    const out = join(dir, 'batched');
    const file = (name: string) => join(dir, name);

    // Samples: one line per sample, n = 1, in the OpenAI Batch shape; the built CLI writes them.
    const exported = await runCli([
      'batch',
      'export',
      ...batchArgs(out),
      '--stage',
      'sample',
      '--requests',
      file('samples.jsonl'),
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(JSON.parse(exported.stdout), {
      requests: [file('samples.jsonl')],
      stage: 'sample',
      model: 'policy-model',
      lines: PROBLEMS * K,
      pendingProblems: PROBLEMS,
      finished: 0,
      problems: PROBLEMS,
      excluded: 0,
    });
    const first = jsonLines(readFileSync(file('samples.jsonl'), 'utf8'))[0];
    assert.deepEqual(first, {
      custom_id: 'p-0:sample:0',
      method: 'POST',
      url: '/v1/chat/completions',
      body: {
        model: 'policy-model',
        messages: [
          {
            role: 'user',
            content: `${problemText(0)}\n\nPlease reason step by step, and put your final answer within \\boxed{}.`,
          },
        ],
        temperature: 0.6,
        top_p: 0.95,
        max_tokens: 32768,
      },
    });

    // run-batch: shuffled, one line repeated, two failed (vLLM's and OpenAI's error shapes). The
    // failed ones are the last sample of their problem, so the policy's draws stay in step.
    await runBatch({
      input: file('samples.jsonl'),
      output: file('samples.out.jsonl'),
      baseUrl: batch.baseUrl,
      shuffleSeed: 7,
      duplicate: ['p-2:sample:1'],
      fail: [`p-5:sample:${K - 1}`],
      failOpenAi: [`p-7:sample:${K - 1}`],
    });
    const imported = await importResults(out, file('samples.out.jsonl'));
    assert.deepEqual(
      [imported.lines, imported.samples, imported.failed, imported.duplicates, imported.unknown],
      [PROBLEMS * K + 1, PROBLEMS * K, 2, 1, 0],
    );
    const journal = await readJournal(join(out, 'runs', 'p-5.journal.jsonl'));
    assert.match(journal.samples[K - 1]!.error!, /HTTP 400: This model's maximum context length/);
    assert.equal(journal.samples[0]!.steps.length, 3);

    // The next export asks for the failed samples only; their answers complete the samples.
    await exportStage(out, 'sample', file('samples2.jsonl'));
    assert.deepEqual(customIds(file('samples2.jsonl')), [`p-5:sample:${K - 1}`, `p-7:sample:${K - 1}`]);
    await runBatch({
      input: file('samples2.jsonl'),
      output: file('samples2.out.jsonl'),
      baseUrl: batch.baseUrl,
    });
    const retried = await importResults(out, file('samples2.out.jsonl'));
    assert.deepEqual([retried.samples, retried.failed, retried.duplicates], [2, 0, 0]);
    // The first output again (with CRLF line ends): all of it is there already.
    writeFileSync(
      file('samples.crlf.jsonl'),
      readFileSync(file('samples.out.jsonl'), 'utf8').replace(/\n/g, '\r\n'),
    );
    const again = await importResults(out, file('samples.crlf.jsonl'));
    assert.deepEqual([again.samples, again.judgements, again.duplicates], [0, 0, PROBLEMS * K + 1]);
    await exportStage(out, 'sample', file('samples3.jsonl'));
    assert.deepEqual(customIds(file('samples3.jsonl')), []);

    // Critiques: one line per sample asking the k critiques with n.
    const critiques = await exportStage(out, 'critique', file('critiques.jsonl'));
    assert.deepEqual(
      [critiques.lines, critiques.judge, critiques.model],
      [PROBLEMS * K, 'self', 'policy-model'],
    );
    const critiqueLines = jsonLines(readFileSync(file('critiques.jsonl'), 'utf8')) as {
      custom_id: string;
      body: { n?: number; messages: { content: string }[] };
    }[];
    assert.ok(critiqueLines.every((line) => /^p-\d+:critique:\d:self:[0-9a-f]{12}$/.test(line.custom_id)));
    assert.ok(critiqueLines.every((line) => line.body.n === CRITIQUES));
    assert.match(critiqueLines[0]!.body.messages[0]!.content, /<paragraph_2>/);
    const failedCritique = critiqueLines[9]!.custom_id;
    await runBatch({
      input: file('critiques.jsonl'),
      output: file('critiques.out.jsonl'),
      baseUrl: batch.baseUrl,
      shuffleSeed: 3,
      duplicate: [critiqueLines[4]!.custom_id],
      fail: [failedCritique],
    });
    const judged = await importResults(out, file('critiques.out.jsonl'));
    assert.deepEqual(
      [judged.judgements, judged.failed, judged.duplicates, judged.unknown],
      [PROBLEMS * K, 1, 1, 0],
    );
    await exportStage(out, 'critique', file('critiques2.jsonl'));
    assert.deepEqual(customIds(file('critiques2.jsonl')), [failedCritique]);
    await runBatch({
      input: file('critiques2.jsonl'),
      output: file('critiques2.out.jsonl'),
      baseUrl: batch.baseUrl,
    });
    assert.equal((await importResults(out, file('critiques2.out.jsonl'))).judgements, 1);

    // Online: only the PRM is asked; the runs and dataset.json are written.
    const policyRequests = batch.requests.length;
    const prmRequests = prm.requests.length;
    const finished = await runInProcess(['evaluate', ...batchArgs(out), '--quiet']);
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal(batch.requests.length, policyRequests, 'no chat request left for the online path');
    const prmInputs = prm.requests
      .slice(prmRequests)
      .reduce((sum, request) => sum + poolingInputs(request.body as PoolingRequestBody).length, 0);
    assert.equal(prmInputs, PROBLEMS * K);
    assert.deepEqual(outcome(out), expected);
    assert.deepEqual(
      readdirSync(join(out, 'runs')).filter((name) => name.includes('journal')),
      [],
    );
    // Finished problems have nothing to export.
    const none = await exportStage(out, 'critique', file('critiques3.jsonl'));
    assert.deepEqual([none.lines, none.finished], [0, PROBLEMS]);
  });

  test('a custom_id that does not parse, or names no problem, sample or critic, is reported and never followed', async () => {
    const out = join(dir, 'rejects');
    const results = join(dir, 'rejects.out.jsonl');
    const line = (custom_id: string) =>
      JSON.stringify({
        id: 'x',
        custom_id,
        response: { status_code: 200, request_id: 'r', body: { choices: [] } },
        error: null,
      });
    writeFileSync(
      results,
      [
        '{not json',
        JSON.stringify({ hello: 'world' }),
        line('../../escape:sample:0'),
        line('p-999:sample:0'),
        line(`p-1:sample:${K}`),
        line('p-1:critique:0:nobody:0123456789ab'),
        line('p-1:critique:0:self:0123456789ab'),
        line('p-1:sample:01'),
      ].join('\n'),
    );
    const result = await runInProcess(['batch', 'import', ...batchArgs(out), '--results', results]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.deepEqual(
      [summary.lines, summary.unreadable, summary.unknown, summary.samples, summary.judgements],
      [8, 2, 6, 0, 0],
    );
    assert.match(result.stderr, /line 1: not JSON/);
    assert.match(result.stderr, /"\.\.\/\.\.\/escape:sample:0" is not one steplens batch export writes/);
    assert.match(result.stderr, /"p-999:sample:0" names no problem/);
    assert.match(result.stderr, new RegExp(`names sample ${K}; policy.n is ${K}`));
    assert.match(result.stderr, /names judge "nobody"/);
    assert.match(result.stderr, /p-1:critique:0:self:0123456789ab.*no such sample/);
    assert.equal(existsSync(join(dir, 'escape')), false);
    assert.deepEqual(readdirSync(join(out, 'runs')), []);
  });

  test('a failed line left to the online path: evaluate keeps it failed, --retry-failed asks for it', async () => {
    const out = join(dir, 'retry');
    await exportStage(out, 'sample', join(dir, 'retry.jsonl'));
    await runBatch({
      input: join(dir, 'retry.jsonl'),
      output: join(dir, 'retry.out.jsonl'),
      baseUrl: batch.baseUrl,
      fail: ['p-0:sample:0'],
    });
    const imported = await importResults(out, join(dir, 'retry.out.jsonl'));
    assert.deepEqual([imported.samples, imported.failed], [PROBLEMS * K, 1]);
    const kept = await runInProcess(['evaluate', ...batchArgs(out), '--quiet']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.deepEqual([JSON.parse(kept.stdout).failedSamples, JSON.parse(kept.stdout).complete], [1, true]);
    const retried = await runInProcess(['evaluate', ...batchArgs(out), '--retry-failed', '--quiet']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(JSON.parse(retried.stdout).failedSamples, 0);
  });

  test('an export over the per-file limit is split into numbered files, a problem never across two', async () => {
    const out = join(dir, 'split');
    const requests = join(dir, 'split-samples.jsonl');
    const split = await runInProcess([
      'batch',
      'export',
      ...batchArgs(out),
      '--stage',
      'sample',
      '--requests',
      requests,
      '--max-lines',
      '10',
    ]);
    assert.equal(split.code, 0, split.stderr);
    // 12 problems of 4 lines, 10 lines a file: two problems per file, six files.
    const files = (JSON.parse(split.stdout) as { requests: string[] }).requests;
    assert.deepEqual(
      files,
      [1, 2, 3, 4, 5, 6].map((part) => join(dir, `split-samples.00${part}.jsonl`)),
    );
    assert.equal(
      existsSync(requests),
      false,
      'no file under the bare name: every part is a batch of its own',
    );
    const ids = files.map(customIds);
    for (const part of ids) {
      assert.ok(part.length <= 10);
      const problemsInPart = new Set(part.map((id) => id.split(':')[0]));
      for (const other of ids)
        if (other !== part)
          for (const id of other)
            assert.ok(!problemsInPart.has(id.split(':')[0]), `${id} split across files`);
    }
    assert.equal(ids.flat().length, PROBLEMS * K);
    assert.equal(new Set(ids.flat()).size, PROBLEMS * K);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes('.partial')),
      [],
    );

    // A byte limit below one request is refused, naming the file, and leaves nothing behind.
    const tiny = await runInProcess([
      'batch',
      'export',
      ...batchArgs(out),
      '--stage',
      'sample',
      '--requests',
      join(dir, 'tiny.jsonl'),
      '--max-bytes',
      '100',
    ]);
    assert.equal(tiny.code, 2);
    assert.match(
      tiny.stderr,
      /tiny\.jsonl: one request is \d+ bytes, more than a batch file may hold \(100\)/,
    );
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('tiny')),
      [],
    );
    const bad = await runInProcess([
      'batch',
      'export',
      ...batchArgs(out),
      '--stage',
      'sample',
      '--requests',
      requests,
      '--max-lines',
      '0',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-lines must be a positive whole number, not "0"/);
  });

  test('another config for the folder is refused; a PRM has no batch requests', async () => {
    const out = join(dir, 'claimed');
    await exportStage(out, 'sample', join(dir, 'claimed.jsonl'));
    const other = join(dir, 'other.json');
    writeFileSync(other, config(batch).replace(`"n":${K}`, `"n":${K + 1}`));
    const refused = await runInProcess([
      'batch',
      'export',
      problems(),
      '--config',
      other,
      '--out',
      out,
      '--stage',
      'sample',
      '--requests',
      join(dir, 'x.jsonl'),
    ]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /another policy, sampling, judges/);
    const prmStage = await runInProcess([
      'batch',
      'export',
      ...batchArgs(out),
      '--stage',
      'critique',
      '--judge',
      'prm',
      '--requests',
      join(dir, 'x.jsonl'),
    ]);
    assert.equal(prmStage.code, 2);
    assert.match(prmStage.stderr, /--judge: judge "prm" is no critic of this config, .*\(critics: self\)/);
    assert.equal(existsSync(join(dir, 'x.jsonl')), false);
  });

  test('processbench protocol: greedy Self-PRM and a voting chat-critic PRM, both batched, give the online dataset', async () => {
    const template =
      'Review the solution.\n\nProblem:\n{problem}\n\nSolution:\n{tagged_response}\n\nAnswer \\boxed{{index}}.\n';
    mkdirSync(join(dir, 'pb'), { recursive: true });
    writeFileSync(join(dir, 'pb', 'critique.txt'), template);
    // The critic votes over three critiques; a wrong sample's are a three-way tie that the first
    // critique wins (ProcessBench's rule), so the order of the choices matters.
    const critic = await startStub({
      chat: (body: ChatRequestBody): ChatReply => {
        const solved = whichSolution(body.messages.map((message) => message.content).join('\n'))!;
        const verdicts = isRight(solved.i, solved.c) ? ['-1', '2', '-1'] : ['1', '0', '2'];
        return {
          choices: Array.from({ length: body.n ?? 1 }, (_, k) => ({ content: `\\boxed{${verdicts[k]}}` })),
        };
      },
    });
    const [pbOnline, pbBatch] = await Promise.all([scriptedPolicy(), scriptedPolicy()]);
    try {
      const pbConfig = (policy: Stub) =>
        JSON.stringify({
          protocol: 'processbench',
          policy: { baseUrl: policy.baseUrl, model: 'policy-model', n: K, maxRetries: 0, timeoutMs: 5000 },
          selfJudge: { mode: 'critic', samples: 1, template: 'critique.txt' },
          prms: [
            {
              id: 'critic',
              kind: 'chat-critic',
              baseUrl: critic.baseUrl,
              model: 'critic-model',
              samples: 3,
              template: 'critique.txt',
              maxRetries: 0,
            },
          ],
        });
      writeFileSync(join(dir, 'pb', 'online.json'), pbConfig(pbOnline));
      writeFileSync(join(dir, 'pb', 'batch.json'), pbConfig(pbBatch));
      const onlineOut = join(dir, 'pb', 'online');
      const onlineRun = await runInProcess([
        'evaluate',
        problems(),
        '--config',
        join(dir, 'pb', 'online.json'),
        '--out',
        onlineOut,
        '--quiet',
      ]);
      assert.equal(onlineRun.code, 0, onlineRun.stderr);
      const expected = outcome(onlineOut);
      assert.deepEqual(verdicts(expected[1]!.samples[2]!.judges).critic, { score: 0, firstError: 1 });

      const out = join(dir, 'pb', 'batched');
      const file = (name: string) => join(dir, 'pb', name);
      const args = [problems(), '--config', join(dir, 'pb', 'batch.json'), '--out', out];
      const round = async (
        stage: string[],
        server: Stub,
        name: string,
        faults: { ignoreN?: string[] } = {},
      ) => {
        const exported = await cli([
          'batch',
          'export',
          ...args,
          ...stage,
          '--requests',
          file(`${name}.jsonl`),
        ]);
        await runBatch({
          input: file(`${name}.jsonl`),
          output: file(`${name}.out.jsonl`),
          baseUrl: server.baseUrl,
          shuffleSeed: 11,
          ...faults,
        });
        const imported = await cli(['batch', 'import', ...args, '--results', file(`${name}.out.jsonl`)]);
        return { exported, imported };
      };
      await round(['--stage', 'sample'], pbBatch, 'samples');
      const self = await round(['--stage', 'critique'], pbBatch, 'self');
      assert.deepEqual([self.exported.lines, self.imported.judgements], [PROBLEMS * K, PROBLEMS * K]);
      const selfLine = jsonLines(readFileSync(file('self.jsonl'), 'utf8'))[0] as {
        body: Record<string, unknown>;
      };
      assert.equal(selfLine.body.temperature, 0);
      assert.equal(selfLine.body.n, undefined);
      // The chat-critic's lines name its model and ask its three critiques with n; one line comes
      // back from an engine that ignored n: a failed judgement, asked again by the next export.
      const ignored = `p-3:critique:1:critic:`;
      const firstCritic = await cli([
        'batch',
        'export',
        ...args,
        '--stage',
        'critique',
        '--judge',
        'critic',
        '--requests',
        file('critic.jsonl'),
      ]);
      assert.deepEqual(
        [firstCritic.model, firstCritic.judge, firstCritic.lines],
        ['critic-model', 'critic', PROBLEMS * K],
      );
      const criticIds = customIds(file('critic.jsonl'));
      const ignoredId = criticIds.find((id) => id.startsWith(ignored))!;
      await runBatch({
        input: file('critic.jsonl'),
        output: file('critic.out.jsonl'),
        baseUrl: critic.baseUrl,
        shuffleSeed: 5,
        ignoreN: [ignoredId],
      });
      const criticImport = await cli(['batch', 'import', ...args, '--results', file('critic.out.jsonl')]);
      assert.deepEqual([criticImport.judgements, criticImport.failed], [PROBLEMS * K, 1]);
      const journal = await readJournal(join(out, 'runs', 'p-3.journal.jsonl'));
      assert.match(journal.samples[1]!.judgements.critic!.error!, /1 of the 3 critiques asked/);
      const retry = await round(['--stage', 'critique', '--judge', 'critic'], critic, 'critic2');
      assert.deepEqual(customIds(file('critic2.jsonl')), [ignoredId]);
      assert.deepEqual([retry.imported.judgements, retry.imported.failed], [1, 0]);

      const before = { policy: pbBatch.requests.length, critic: critic.requests.length };
      const finished = await runInProcess(['evaluate', ...args, '--quiet']);
      assert.equal(finished.code, 0, finished.stderr);
      assert.deepEqual({ policy: pbBatch.requests.length, critic: critic.requests.length }, before);
      assert.deepEqual(outcome(out), expected);
    } finally {
      await Promise.all([critic.close(), pbOnline.close(), pbBatch.close()]);
    }
  });
});
