/**
 * Endpoints with replicas in the config: one URL or a list of them, what a bad list is told, what a
 * run file keeps (old run files with one URL still load), and that a key is looked up per URL.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointUrls, RunConfigSchema, withoutCredentials } from '../../src/core/config.js';
import { inputErrorFromZod } from '../../src/core/errors.js';
import { RunSchema } from '../../src/core/schemas.js';
import { describeEndpoint } from '../../src/host/endpointSource.js';
import { createJudges, createPolicyEndpoint, type KeyRequest } from '../../src/llm/judges.js';
import { smallRun } from '../fixtures/smallRun.js';
import { type PoolingRequestBody, poolingInputs, rewardPairs, stepsIn } from '../fixtures/stubServer.js';
import { stubsPerFile } from '../fixtures/stubsPerFile.js';

const stub = stubsPerFile();

const policy = { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' };
const replicas = ['http://gpu-a:8000/v1', 'http://gpu-b:8000/v1'];

function said(config: unknown): string {
  const parsed = RunConfigSchema.safeParse(config);
  return parsed.success ? 'valid' : inputErrorFromZod({ file: 'steplens.json' }, parsed.error).message;
}

describe('an endpoint with replicas in the config', () => {
  test('one URL or a list of URLs: both valid and kept as written; the code reads a list either way', () => {
    const one = RunConfigSchema.parse({ policy });
    assert.equal(one.policy.baseUrl, policy.baseUrl);
    assert.deepEqual(endpointUrls(one.policy), [policy.baseUrl]);
    const many = RunConfigSchema.parse({
      policy: { ...policy, baseUrl: replicas },
      prms: [{ id: 'qwen-prm', kind: 'vllm-pooling', baseUrl: ['http://gpu-c:8001'], model: 'p' }],
    });
    assert.deepEqual(many.policy.baseUrl, replicas);
    assert.deepEqual(endpointUrls(many.prms[0]!), ['http://gpu-c:8001']);
  });

  test('a bad list is named down to the entry', () => {
    assert.equal(
      said({ policy: { ...policy, baseUrl: ['http://gpu-a:8000/v1', 'ftp://gpu-b/v1'] } }),
      'steplens.json, field "policy.baseUrl.1": must be an http(s) URL',
    );
    assert.equal(
      said({ policy: { ...policy, baseUrl: [] } }),
      'steplens.json, field "policy.baseUrl": needs at least one URL',
    );
    assert.equal(
      said({ policy: { ...policy, baseUrl: [replicas[0], replicas[0]] } }),
      'steplens.json, field "policy.baseUrl": lists a URL twice',
    );
    assert.equal(
      said({ policy: { ...policy, baseUrl: 8000 } }),
      'steplens.json, field "policy.baseUrl": must be an http(s) URL or a non-empty list of them',
    );
    assert.equal(
      said({
        policy,
        prms: [{ id: 'qwen-prm', kind: 'vllm-pooling', baseUrl: ['http://gpu-c:8001', 'gpu-d'], model: 'p' }],
      }),
      'steplens.json, field "prms.0.baseUrl.1": must be an http(s) URL',
    );
  });

  test("a run file keeps every replica's URL without its user and password, in the shape written", () => {
    const config = RunConfigSchema.parse({
      policy: {
        ...policy,
        baseUrl: ['http://alice:pw-one@gpu-a:8000/v1', 'http://bob:pw-two@gpu-b:8000/v1'],
      },
      prms: [{ id: 'qwen-prm', kind: 'vllm-pooling', baseUrl: 'http://carol:pw-3@gpu-c:8001', model: 'p' }],
    });
    const stored = withoutCredentials(config);
    assert.deepEqual(stored.policy.baseUrl, replicas);
    assert.equal(stored.prms[0]!.baseUrl, 'http://gpu-c:8001');
    assert.doesNotMatch(JSON.stringify(stored), /pw-|alice|bob|carol/);
  });

  test('run files of one URL (every run file written so far) still load, and a run with replicas loads too', () => {
    const old = JSON.parse(JSON.stringify(smallRun())) as { config: { policy: { baseUrl: unknown } } };
    assert.equal(typeof old.config.policy.baseUrl, 'string');
    assert.deepEqual(RunSchema.parse(old).config.policy.baseUrl, old.config.policy.baseUrl);
    old.config.policy.baseUrl = replicas;
    assert.deepEqual(RunSchema.parse(old).config.policy.baseUrl, replicas);
  });

  test('messages name every replica, without credentials', () => {
    const source = { setting: 'steplens.policy.baseUrl', origin: 'user', workspaceRefused: false } as const;
    assert.equal(
      describeEndpoint(['http://alice:pw@gpu-a:8000/v1', 'http://gpu-b:8000/v1'], source),
      'http://gpu-a:8000/v1, http://gpu-b:8000/v1 (steplens.policy.baseUrl from your User settings)',
    );
  });
});

describe('keys for replicas', () => {
  test('a key is looked up per URL (a key store keyed by host may hold one per replica) and each replica gets its own', async () => {
    const servers = [
      await stub({ chat: () => ({ choices: [{ content: 'ok' }] }) }),
      await stub({ chat: () => ({ choices: [{ content: 'ok' }] }) }),
    ];
    const score = (body: PoolingRequestBody) => ({
      data: poolingInputs(body).map((input) => rewardPairs(Array(stepsIn(input)).fill(0.9))),
    });
    const prmServers = [await stub({ pooling: score }), await stub({ pooling: score })];
    const config = RunConfigSchema.parse({
      policy: { ...policy, baseUrl: servers.map((server) => server.baseUrl), apiKeyEnv: 'POLICY_KEY' },
      selfJudge: { mode: 'off' },
      prms: [
        { id: 'qwen-prm', kind: 'vllm-pooling', baseUrl: prmServers.map((server) => server.url), model: 'p' },
      ],
    });
    const asked: KeyRequest[] = [];
    const keyOf = new Map([
      [servers[0]!.baseUrl, 'key-for-a-1234'],
      [servers[1]!.baseUrl, 'key-for-b-5678'],
      [prmServers[1]!.url, 'key-for-prm-b-9012'],
    ]);
    const resolveKey = (request: KeyRequest) => {
      asked.push(request);
      return keyOf.get(request.baseUrl);
    };
    const endpoint = createPolicyEndpoint(config, resolveKey, {});
    const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };
    await endpoint.complete(ask);
    await endpoint.complete(ask);
    assert.deepEqual(
      servers.map((server) => server.requests.map((request) => request.authorization)),
      [['Bearer key-for-a-1234'], ['Bearer key-for-b-5678']],
    );
    const [prm] = createJudges(config, endpoint, resolveKey, { lingerMs: 0 });
    await prm!.judge('p', ['a']);
    await prm!.judge('p', ['a']);
    assert.deepEqual(
      prmServers.map((server) => server.requests.map((request) => request.authorization)),
      [[undefined], ['Bearer key-for-prm-b-9012']],
    );
    assert.deepEqual(asked, [
      { baseUrl: servers[0]!.baseUrl, apiKeyEnv: 'POLICY_KEY' },
      { baseUrl: servers[1]!.baseUrl, apiKeyEnv: 'POLICY_KEY' },
      { baseUrl: prmServers[0]!.url, apiKeyEnv: undefined },
      { baseUrl: prmServers[1]!.url, apiKeyEnv: undefined },
    ]);
  });
});
