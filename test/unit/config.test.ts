/**
 * The analysis config (steplens.json, and the settings mapped onto it): what a bad value is told,
 * what defaults mean, and what a run file keeps of it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  critiqueSampling,
  RunConfigSchema,
  requestDeadlineMs,
  urlWithoutCredentials,
  withoutCredentials,
} from '../../src/core/config.js';
import { estimateRequests } from '../../src/core/cost.js';
import { inputErrorFromZod } from '../../src/core/errors.js';

const policy = { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' };
const prm = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: 'vllm-pooling',
  baseUrl: 'http://127.0.0.1:8001',
  model: 'p',
  ...extra,
});

/** What `steplens analyze --config` prints for a config, or "valid". */
function said(config: unknown): string {
  const parsed = RunConfigSchema.safeParse(config);
  return parsed.success ? 'valid' : inputErrorFromZod({ file: 'steplens.json' }, parsed.error).message;
}

describe('bad config values are named', () => {
  test('endpoint URLs must be http(s)', () => {
    assert.equal(
      said({ policy: { ...policy, baseUrl: 'ftp://host/v1' } }),
      'steplens.json, field "policy.baseUrl": must be an http(s) URL',
    );
    assert.equal(said({ policy: { ...policy, baseUrl: 'https://host/v1' } }), 'valid');
    assert.equal(
      said({ policy: { ...policy, baseUrl: 'httpsx://host/v1' } }),
      'steplens.json, field "policy.baseUrl": must be an http(s) URL',
    );
    assert.equal(
      said({ policy, prms: [prm('a', { baseUrl: 'xhttp://h' })] }),
      'steplens.json, field "prms.0.baseUrl": must be an http(s) URL',
    );
  });

  test('a key variable must be a variable name', () => {
    assert.equal(
      said({ policy: { ...policy, apiKeyEnv: '1KEY' } }),
      'steplens.json, field "policy.apiKeyEnv": must be an environment variable name',
    );
    assert.equal(said({ policy: { ...policy, apiKeyEnv: 'OPENAI_API_KEY' } }), 'valid');
  });

  test('judge ids: "self" is taken, a duplicate is named at its place', () => {
    assert.equal(
      said({ policy, prms: [prm('self')] }),
      'steplens.json, field "prms.0.id": is reserved for the Self-PRM judge',
    );
    assert.equal(
      said({ policy, prms: [prm('a'), prm('b'), prm('a')] }),
      'steplens.json, field "prms.2.id": duplicate judge id "a"',
    );
  });

  test('a misspelt key is an error naming it, never dropped; every problem is named at once', () => {
    assert.equal(
      said({ policy, protocl: 'processbench' }),
      'steplens.json: unknown key "protocl" (misspelt? it would be ignored)',
    );
    assert.equal(
      said({ policy: { ...policy, temprature: 0.2 }, prms: [prm('a', { batchsize: 4, n: 2 })] }),
      'steplens.json, field "policy": unknown key "temprature" (misspelt? it would be ignored); ' +
        'also field "prms.0": unknown keys "batchsize", "n" (misspelt? it would be ignored)',
    );
    assert.equal(
      said({ policy, steps: { strategy: 'lines', stratgy: 'x' }, selfJudge: { mode: 'critic', k: 4 } }),
      'steplens.json, field "selfJudge": unknown key "k" (misspelt? it would be ignored); ' +
        'also field "steps": unknown key "stratgy" (misspelt? it would be ignored)',
    );
  });
});

describe('defaults and what a run keeps', () => {
  test('the request deadline is 3 × the timeout unless set', () => {
    const config = RunConfigSchema.parse({
      policy: { ...policy, timeoutMs: 1000 },
      prms: [prm('a', { requestDeadlineMs: 2500 })],
    });
    assert.equal(requestDeadlineMs(config.policy), 3000);
    assert.equal(requestDeadlineMs(config.prms[0]!), 2500);
  });

  test('credentials leave every stored URL, and nothing else changes', () => {
    const config = RunConfigSchema.parse({
      policy: { ...policy, baseUrl: 'https://user:pa%40ss@api.example.com/v1' },
      prms: [prm('a', { baseUrl: 'http://k@10.0.0.1:8001' }), prm('b')],
    });
    const stored = withoutCredentials(config);
    assert.equal(stored.policy.baseUrl, 'https://api.example.com/v1');
    assert.deepEqual(
      stored.prms.map((entry) => entry.baseUrl),
      ['http://10.0.0.1:8001', 'http://127.0.0.1:8001'],
    );
    assert.deepEqual(
      { ...stored, policy: { ...stored.policy, baseUrl: '' }, prms: [] },
      { ...config, policy: { ...config.policy, baseUrl: '' }, prms: [] },
    );
    assert.equal(
      urlWithoutCredentials('see https://u:p@a.io/x and http://b.io/y@z'),
      'see https://a.io/x and http://b.io/y@z',
      'an @ in a path is no credential',
    );
  });

  test('a chat-critic PRM costs its critiques per sample', () => {
    const config = RunConfigSchema.parse({
      policy: { ...policy, n: 4 },
      selfJudge: { mode: 'off' },
      prms: [{ id: 'c', kind: 'chat-critic', baseUrl: 'http://h/v1', model: 'c', samples: 3 }],
    });
    assert.equal(estimateRequests(config).requests, 4 + 4 * 3);
  });
});

describe('the critic protocol', () => {
  const critic = (extra: Record<string, unknown> = {}) => ({
    id: 'critic',
    kind: 'chat-critic',
    baseUrl: 'http://127.0.0.1:8002/v1',
    model: 'c',
    ...extra,
  });

  test('StepLens’s own protocol is the default; a template there would be ignored, so it is refused', () => {
    assert.equal(RunConfigSchema.parse({ policy }).protocol, 'steplens');
    assert.equal(
      said({ policy, selfJudge: { template: 't.txt' }, prms: [critic({ template: 'u.txt' })] }),
      'steplens.json, field "selfJudge.template": a critique template is read only under "protocol": "processbench"; also field "prms.0.template": a critique template is read only under "protocol": "processbench"',
    );
  });

  test('processbench: every critic needs a template; no temperature, structured output or stepwise', () => {
    assert.equal(
      said({ protocol: 'processbench', policy, selfJudge: { template: 't.txt' }, prms: [critic()] }),
      'steplens.json, field "prms.0.template": the processbench protocol needs the critique template file (ProcessBench: templates/critique_template.txt)',
    );
    assert.match(
      said({
        protocol: 'processbench',
        policy,
        selfJudge: { template: 't.txt', temperature: 0.7, structuredOutput: true },
      }),
      /field "selfJudge\.temperature": the processbench protocol sets the temperature itself .*; also field "selfJudge\.structuredOutput": the processbench protocol reads \\boxed\{\} from free text/,
    );
    assert.match(
      said({ protocol: 'processbench', policy, selfJudge: { mode: 'stepwise' } }),
      /field "selfJudge\.mode": the processbench protocol judges by critique/,
    );
    // Self-PRM off, PRMs that are not critics: nothing to template.
    assert.equal(
      said({ protocol: 'processbench', policy, selfJudge: { mode: 'off' }, prms: [prm('p')] }),
      'valid',
    );
    assert.equal(said({ protocol: 'processbnech', policy }).split(':')[0], 'steplens.json, field "protocol"');
  });

  test('ProcessBench samples one greedy critique, or votes at temperature 1 and top_p 0.9', () => {
    assert.deepEqual(critiqueSampling('processbench', { samples: 1, maxTokens: 8192 }), {
      n: 1,
      temperature: 0,
      maxTokens: 8192,
    });
    assert.deepEqual(critiqueSampling('processbench', { samples: 8, maxTokens: 32768 }), {
      n: 8,
      temperature: 1,
      top_p: 0.9,
      maxTokens: 32768,
    });
    assert.deepEqual(critiqueSampling('steplens', { samples: 4, maxTokens: 100 }), {
      n: 4,
      temperature: 0.6,
      maxTokens: 100,
    });
    assert.equal(critiqueSampling('steplens', { samples: 4, temperature: 0, maxTokens: 100 }).temperature, 0);
  });
});
