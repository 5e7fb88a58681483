import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Run, RunSchema } from '../../src/core/schemas.js';
import { CLI, jsonLines, runCli, runInProcess } from '../cli.js';
import { isCriticRequest, scenario, solution } from '../fixtures/scenario.js';
import { type Stub, startStub } from '../fixtures/stubServer.js';
import { fixturePath, readFixture } from '../support.js';

const KEY = 'sk-test-secret-key-123456';
let dir: string;
let policy: Stub;
let prm: Stub;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steplens-cli-'));
  const world = scenario([
    solution('alpha', '42', { verdicts: [-1, -1, -1, -1], prm: [0.99, 0.95, 0.9] }),
    solution('beta', '41', { verdicts: [1, 1, 1, 2], prm: [0.98, 0.2, 0.1] }),
    solution('gamma', '42', { verdicts: [-1, -1, 2, -1], prm: [0.97, 0.8, 0.85] }),
  ]);
  policy = await startStub({ chat: world.chat! });
  prm = await startStub({
    pooling: (body, call) => {
      // ProcessBench gsm8k-0 scored by its own steps: answer with vLLM's real response for that row.
      const text = JSON.stringify(body);
      if (text.includes('flamingos'))
        return { data: JSON.parse(readFixture('vllm_fixture_qwen2_5_math_prm_reward_step.json')) };
      return world.pooling!(body, call);
    },
  });
  writeFileSync(join(dir, 'problem.md'), 'What is 6 times 7?\n\nAnswer: 42\n');
  writeConfig('steplens.json', {});
});

after(async () => {
  await policy.close();
  await prm.close();
});

function writeConfig(name: string, overrides: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      policy: {
        baseUrl: policy.baseUrl,
        model: 'Qwen/QwQ-32B',
        apiKeyEnv: 'STEPLENS_TEST_KEY',
        n: 3,
        concurrency: 4,
        timeoutMs: 5000,
      },
      selfJudge: { mode: 'critic', samples: 4 },
      prms: [
        {
          id: 'qwen-prm',
          kind: 'vllm-pooling',
          baseUrl: prm.url,
          model: 'Qwen/Qwen2.5-Math-PRM-7B',
          apiKeyEnv: 'STEPLENS_TEST_KEY',
        },
      ],
      ...overrides,
    }),
  );
  return path;
}

const env = { ...process.env, STEPLENS_TEST_KEY: KEY };

describe('steplens analyze', () => {
  test('writes a run with exactly the scripted scores and the right picks; the key is sent, never written', async () => {
    const out = join(dir, 'run.json');
    const result = await runCli(
      ['analyze', join(dir, 'problem.md'), '--config', join(dir, 'steplens.json'), '--out', out],
      '',
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout), [
      { run: out, samples: 3, failedSamples: 0, judges: ['self', 'qwen-prm'], status: 'complete' },
    ]);
    const text = readFileSync(out, 'utf8');
    const run: Run = RunSchema.parse(JSON.parse(text));
    const sample = (marker: string) => run.samples.find((s) => s.steps[0]!.startsWith(marker))!;
    assert.deepEqual(sample('alpha').judgements.self!.stepScores, [1, 1, 1]);
    assert.deepEqual(sample('beta').judgements.self!.stepScores, [1, 0.25, 0]);
    assert.deepEqual(sample('gamma').judgements.self!.stepScores, [1, 1, 0.75]);
    assert.deepEqual(sample('beta').judgements['qwen-prm']!.stepScores, [0.98, 0.2, 0.1]);
    assert.deepEqual(sample('gamma').judgements['qwen-prm']!.stepScores, [0.97, 0.8, 0.85]);
    const picks = Object.fromEntries(run.rerank.map((pick) => [pick.method, pick]));
    assert.equal(picks.majority!.answer, '42');
    assert.equal(picks['prm-best-of-n']!.sample, sample('alpha').index);
    assert.equal(picks['self-prm']!.answer, '42');
    assert.ok(run.rerank.every((pick) => pick.correct === true));

    assert.ok(
      policy.requests.length > 0 && policy.requests.every((r) => r.authorization === `Bearer ${KEY}`),
    );
    assert.ok(prm.requests.length > 0 && prm.requests.every((r) => r.authorization === `Bearer ${KEY}`));
    assert.doesNotMatch(text, new RegExp(KEY));
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(KEY));
  });

  test('--existing-steps scores a ProcessBench row as it stands: the PRM flags step 1, as the human did', async () => {
    const out = join(dir, 'pb.json');
    const result = await runCli(
      [
        'analyze',
        fixturePath('processbench_sample_40.jsonl'),
        '--row',
        'gsm8k-0',
        '--existing-steps',
        '--config',
        join(dir, 'steplens.json'),
        '--out',
        out,
      ],
      '',
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    const run = RunSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    assert.equal(run.samples.length, 1);
    assert.equal(run.problem.humanFirstError, 1);
    const scores = run.samples[0]!.judgements['qwen-prm']!;
    assert.equal(scores.firstError, 1);
    assert.deepEqual(
      scores.stepScores.map((s) => Math.round((s ?? 0) * 100) / 100),
      [1, 0.18, 0.97, 1],
    );
  });

  test('a file with many rows asks for --row; a bad config names the field', async () => {
    const many = await runCli(
      ['analyze', fixturePath('processbench_sample_40.jsonl'), '--config', join(dir, 'steplens.json')],
      '',
      env,
    );
    assert.equal(many.code, 2);
    assert.match(many.stderr, /holds 40 problems; choose one with --row/);
    const badConfig = writeConfig('bad.json', { policy: { baseUrl: 'not a url', model: 'm' } });
    const bad = await runCli(['analyze', join(dir, 'problem.md'), '--config', badConfig], '', env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.json, field "policy\.baseUrl": must be an http\(s\) URL/);
    const missing = await runCli(['analyze', join(dir, 'problem.md')], '', env);
    assert.match(missing.stderr, /--config is required/);
  });

  test('rescore adds a judge to a run file without sampling again', async () => {
    const out = join(dir, 'self-only.json');
    const selfOnly = writeConfig('self-only.json', { prms: [] });
    assert.equal(
      (await runCli(['analyze', join(dir, 'problem.md'), '--config', selfOnly, '--out', out], '', env)).code,
      0,
    );
    const before = policy.requests.filter((r) => !JSON.stringify(r.body).includes('paragraph_0')).length;
    const result = await runCli(['rescore', out, '--config', join(dir, 'steplens.json')], '', env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((jsonLines(result.stdout)[0] as { judges: string[] }).judges, ['self', 'qwen-prm']);
    assert.equal(
      policy.requests.filter((r) => !JSON.stringify(r.body).includes('paragraph_0')).length,
      before,
    );
    const run = RunSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    assert.ok(run.samples.every((s) => s.judgements['qwen-prm']?.stepScores.length === s.steps.length));
  });

  test('Ctrl-C writes the partial run, marked cancelled, and exits 130', async () => {
    const hanging = await startStub({ chat: () => ({ fault: { kind: 'hang' } }) });
    try {
      const config = join(dir, 'hang.json');
      writeFileSync(config, JSON.stringify({ policy: { baseUrl: hanging.baseUrl, model: 'm', n: 2 } }));
      const out = join(dir, 'cancelled.json');
      const child = spawn(process.execPath, [
        CLI,
        'analyze',
        join(dir, 'problem.md'),
        '--config',
        config,
        '--out',
        out,
      ]);
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      // The CLI has sent its request and is waiting on the endpoint: the moment for Ctrl-C.
      if (hanging.requests.length === 0) await once(hanging.events, 'request');
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 130);
      const run = RunSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      assert.equal(run.status, 'cancelled');
      assert.equal((JSON.parse(stdout) as { status: string }).status, 'cancelled');
    } finally {
      await hanging.close();
    }
  });
});

describe('keys echoed by a server', () => {
  const POLICY_KEY = 'sk-proj-abcDEF0123456789ghiJKL';
  // Not key-shaped: only knowing it is the configured key can hide it.
  const PRM_KEY = 'prm-token-5f4e3d2c1b0a99';
  const URL_USER = 'prmuser';
  const URL_SECRET = 'url-pass-8c7b6a5d4e';
  const BASIC = Buffer.from(`${URL_USER}:${URL_SECRET}`).toString('base64');
  const secrets = [POLICY_KEY, PRM_KEY, URL_SECRET, BASIC, `${URL_USER}:`];

  test('never reach the run file, stdout, stderr, the retry line or view --html; the requests still authenticate', async () => {
    const world = scenario(
      [
        solution('alpha', '42', { verdicts: [-1], prm: [0.9, 0.9, 0.9] }),
        solution('beta', '42', { verdicts: [-1], prm: [0.9, 0.9, 0.9] }),
      ],
      {
        // Two single requests: one is retried after a 503 quoting the header, one dies of a 401
        // quoting the bare key; the critique of the sample that made it gets a 401 with the header.
        sampleFault: (call) =>
          call === 0
            ? {
                kind: 'status',
                status: 503,
                retryAfterSeconds: 0,
                message: 'upstream refused',
                echo: 'authorization',
              }
            : call === 1
              ? { kind: 'status', status: 401, message: 'Incorrect API key provided:', echo: 'token' }
              : undefined,
        criticFault: () => ({
          kind: 'status',
          status: 401,
          message: 'Invalid credentials:',
          echo: 'authorization',
        }),
      },
    );
    const leakyPolicy = await startStub({ chat: world.chat!, refuseN: true });
    const leakyPrm = await startStub({
      pooling: () => ({ fault: { kind: 'status', status: 401, message: 'Unknown key', echo: 'token' } }),
    });
    const basicPrm = await startStub({
      pooling: () => ({ fault: { kind: 'status', status: 401, message: 'Rejected', echo: 'authorization' } }),
    });
    process.env.STEPLENS_LEAK_POLICY_KEY = POLICY_KEY;
    process.env.STEPLENS_LEAK_PRM_KEY = PRM_KEY;
    try {
      const credentialed = basicPrm.url.replace('http://', `http://${URL_USER}:${URL_SECRET}@`);
      const config = join(dir, 'leaky.json');
      writeFileSync(
        config,
        JSON.stringify({
          policy: {
            baseUrl: leakyPolicy.baseUrl,
            model: 'm',
            apiKeyEnv: 'STEPLENS_LEAK_POLICY_KEY',
            n: 2,
            timeoutMs: 5000,
          },
          selfJudge: { mode: 'critic', samples: 1 },
          prms: [
            {
              id: 'leaky-prm',
              kind: 'vllm-pooling',
              baseUrl: leakyPrm.url,
              model: 'prm',
              apiKeyEnv: 'STEPLENS_LEAK_PRM_KEY',
              maxRetries: 0,
            },
            { id: 'basic-prm', kind: 'vllm-pooling', baseUrl: credentialed, model: 'prm', maxRetries: 0 },
          ],
        }),
      );
      const out = join(dir, 'leaky-run.json');
      const result = await runInProcess([
        'analyze',
        join(dir, 'problem.md'),
        '--config',
        config,
        '--out',
        out,
      ]);
      assert.equal(result.code, 0, result.stderr);

      // The keys went where they belong.
      assert.ok(leakyPolicy.requests.length >= 4);
      assert.ok(leakyPolicy.requests.every((r) => r.authorization === `Bearer ${POLICY_KEY}`));
      assert.ok(leakyPrm.requests.length > 0);
      assert.ok(leakyPrm.requests.every((r) => r.authorization === `Bearer ${PRM_KEY}`));
      assert.ok(basicPrm.requests.length > 0, 'the credentialed PRM was reached');
      assert.ok(basicPrm.requests.every((r) => r.authorization === `Basic ${BASIC}`));

      // Every path that turns the echoes into text was taken…
      const text = readFileSync(out, 'utf8');
      const run = RunSchema.parse(JSON.parse(text));
      assert.match(result.stderr, /retry 1 in 0 ms: .*HTTP 503: upstream refused/);
      const failed = run.samples.filter((sample) => sample.error);
      assert.equal(failed.length, 1);
      assert.match(failed[0]!.error!, /HTTP 401: Incorrect API key provided:/);
      const judged = run.samples.find((sample) => !sample.error)!;
      assert.match(judged.judgements.self?.error ?? '', /HTTP 401: Invalid credentials:/);
      assert.match(judged.judgements['leaky-prm']?.error ?? '', /HTTP 401: Unknown key/);
      const basicError = judged.judgements['basic-prm']?.error ?? '';
      assert.match(basicError, /HTTP 401: Rejected/);
      assert.ok(basicError.startsWith(`prm at ${basicPrm.url}:`), basicError);
      assert.equal(run.config.prms[1]!.baseUrl, basicPrm.url);

      // …and none of them carries a secret.
      const html = join(dir, 'leaky-run.html');
      assert.ok(
        existsSync(join(CLI, '..', 'webview.js')),
        'dist/webview.js is missing: run npm run build first',
      );
      const view = await runInProcess(['view', out, '--html', html]);
      assert.equal(view.code, 0, view.stderr);
      const page = readFileSync(html, 'utf8');
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `the run file holds ${secret}`);
        assert.ok(!result.stdout.includes(secret), `stdout holds ${secret}`);
        assert.ok(!result.stderr.includes(secret), `stderr holds ${secret}`);
        assert.ok(!page.includes(secret), `the HTML page holds ${secret}`);
      }
    } finally {
      delete process.env.STEPLENS_LEAK_POLICY_KEY;
      delete process.env.STEPLENS_LEAK_PRM_KEY;
      await Promise.all([leakyPolicy.close(), leakyPrm.close(), basicPrm.close()]);
    }
  });
});

describe('Ctrl-C while the samples are streaming', () => {
  test('keeps what each unfinished sample streamed, marked cancelled, split into steps, never judged or voted', async () => {
    const long = (marker: string) =>
      solution(marker, '41', { steps: 30, verdicts: [-1], reasoning: 'reasoning_content' });
    const alpha = long('alpha');
    const beta = long('beta');
    const short = { content: 'Short: \\boxed{42}' };
    const slow = await startStub({
      chunkSize: 1,
      chat: (body) =>
        isCriticRequest(body)
          ? { choices: Array.from({ length: body.n ?? 1 }, () => ({ content: '\\boxed{-1}' })) }
          : // One word a chunk; the stall keeps the long ones unfinished however late the signal lands.
            {
              choices: [short, alpha.choice, beta.choice],
              chunkDelayMs: 10,
              fault: { kind: 'stall', afterChunks: 40 },
            },
    });
    try {
      const config = join(dir, 'slow.json');
      writeFileSync(
        config,
        JSON.stringify({
          policy: { baseUrl: slow.baseUrl, model: 'm', n: 3, timeoutMs: 60_000 },
          selfJudge: { mode: 'critic', samples: 1 },
        }),
      );
      const out = join(dir, 'interrupted.json');
      // Both long samples are well into their answers (reasoning done) by chunk 30.
      const streamed = new Promise<void>((resolve) =>
        slow.events.on('chunk', (sent) => {
          if (sent >= 30) resolve();
        }),
      );
      const running = runInProcess(['analyze', join(dir, 'problem.md'), '--config', config, '--out', out]);
      await streamed;
      process.kill(process.pid, 'SIGINT');
      const result = await running;

      assert.equal(result.code, 130, result.stderr);
      assert.equal((jsonLines(result.stdout)[0] as { status: string }).status, 'cancelled');
      const run = RunSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      assert.equal(run.status, 'cancelled');
      assert.equal(run.samples.length, 3);

      const finished = run.samples.find((sample) => sample.answer === '42');
      assert.ok(finished && !finished.cancelled, 'the short sample finished');
      assert.ok(finished.judgements.self, 'and was judged');
      const partial = run.samples.filter((sample) => sample.cancelled);
      assert.equal(partial.length, 2);
      for (const [sample, scripted] of partial.map(
        (s) => [s, s.text.startsWith('alpha') ? alpha : beta] as const,
      )) {
        assert.equal(sample.finishReason, 'cancelled');
        assert.equal(sample.reasoning, scripted.choice.reasoning_content);
        assert.ok(sample.text.length > 0 && scripted.choice.content.startsWith(sample.text), sample.text);
        assert.ok(sample.steps.length > 0);
        assert.ok(`${scripted.marker}: we set up the problem.`.startsWith(sample.steps[0]!), sample.steps[0]);
        assert.equal(sample.answer, null);
        assert.deepEqual(sample.judgements, {});
      }
      const critiqued = slow.requests
        .filter((r) => isCriticRequest(r.body as never))
        .map((r) => JSON.stringify(r.body));
      assert.ok(
        critiqued.every((body) => !body.includes('alpha') && !body.includes('beta')),
        'partial samples are not judged',
      );
      assert.ok(run.rerank.length > 0);
      for (const pick of run.rerank)
        assert.equal(pick.sample, finished.index, `${pick.method} picked ${pick.sample}`);
    } finally {
      await slow.close();
    }
  });
});
