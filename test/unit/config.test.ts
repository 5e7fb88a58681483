/**
 * The analysis config (steplens.json, and the settings mapped onto it): what a bad value is told,
 * what defaults mean, and what a run file keeps of it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
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
