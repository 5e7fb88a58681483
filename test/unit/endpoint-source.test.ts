/** Where an endpoint URL came from, as the user reads it in Test Connection and in failure messages. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sample } from '../../src/core/schemas.js';
import {
  describeEndpoint,
  describeSource,
  endpointFailures,
  settingSource,
} from '../../src/host/endpointSource.js';

const SETTING = 'steplens.policy.baseUrl';
const DEFAULT = 'http://127.0.0.1:8000/v1';

describe('where a setting came from', () => {
  test('a value in the User settings is named as such', () => {
    const source = settingSource(SETTING, { defaultValue: DEFAULT, globalValue: 'http://gpu:8000/v1' });
    assert.equal(describeSource(source), 'steplens.policy.baseUrl from your User settings');
  });

  test('the default says that it is the default and where to set the value', () => {
    assert.equal(
      describeSource(settingSource(SETTING, { defaultValue: DEFAULT })),
      'the default: steplens.policy.baseUrl is not set in your User settings',
    );
    assert.equal(
      describeSource(settingSource(SETTING, undefined)),
      describeSource(settingSource(SETTING, {})),
    );
  });

  test('in a remote window the default also says that Remote settings are not read', () => {
    assert.equal(
      describeSource(settingSource(SETTING, { defaultValue: DEFAULT }, 'ssh-remote')),
      'the default: steplens.policy.baseUrl is not set in your User settings (this window is remote, ssh-remote: StepLens reads it from your User settings, not from Remote settings)',
    );
    // A value the user did set needs no advice, remote or not.
    assert.equal(
      describeSource(settingSource(SETTING, { globalValue: 'http://gpu:8000/v1' }, 'wsl')),
      'steplens.policy.baseUrl from your User settings',
    );
  });

  test("a workspace's own value is reported as ignored, never used", () => {
    for (const inspected of [
      { defaultValue: DEFAULT, workspaceValue: 'http://attacker.invalid/v1' },
      { defaultValue: DEFAULT, workspaceFolderValue: 'http://attacker.invalid/v1' },
    ]) {
      const source = settingSource(SETTING, inspected);
      assert.equal(source.origin, 'default');
      assert.match(describeSource(source), /^the default: .*; this workspace's own value is ignored/);
    }
    const overUser = settingSource(SETTING, {
      globalValue: 'http://gpu:8000/v1',
      workspaceValue: 'http://attacker.invalid/v1',
    });
    assert.match(
      describeSource(overUser),
      /^steplens\.policy\.baseUrl from your User settings; this workspace's own value is ignored/,
    );
    // The same value in both places redirects nothing.
    const same = settingSource(SETTING, {
      globalValue: 'http://gpu:8000/v1',
      workspaceValue: 'http://gpu:8000/v1',
    });
    assert.equal(same.workspaceRefused, false);
  });

  test('an endpoint is named by its URL without credentials, then its source', () => {
    assert.equal(
      describeEndpoint(
        'https://ann:s3cret-pass@gpu.example/v1',
        settingSource(SETTING, { globalValue: 'x' }),
      ),
      'https://gpu.example/v1 (steplens.policy.baseUrl from your User settings)',
    );
  });
});

describe('failures of a finished run, by endpoint', () => {
  const endpoints = { policy: 'POLICY', judges: { self: 'POLICY', 'qwen-prm': 'PRM' } };
  const ok = (index: number, judgements: Sample['judgements'] = {}): Sample => ({
    index,
    text: 'a',
    steps: ['a'],
    answer: '1',
    judgements,
  });
  const judgement = (error?: string) => ({
    stepScores: [error ? null : 1],
    firstError: error ? null : -1,
    solutionScore: error ? null : 1,
    ...(error ? { error } : {}),
  });

  test('nothing failed: nothing to say', () => {
    assert.deepEqual(
      endpointFailures({ samples: [ok(0, { self: judgement(), 'qwen-prm': judgement() })] }, endpoints),
      [],
    );
  });

  test('failed samples name the policy endpoint with the first error; cancelled ones are not failures', () => {
    const samples: Sample[] = [
      { index: 0, text: '', steps: [], answer: null, error: 'Connection error.', judgements: {} },
      { index: 1, text: '', steps: [], answer: null, error: 'HTTP 500', judgements: {} },
      { ...ok(2), cancelled: true },
      ok(3),
    ];
    assert.deepEqual(endpointFailures({ samples }, { policy: 'POLICY', judges: {} }), [
      'sampling failed on 2 of 4 samples (Connection error.) at the policy endpoint POLICY',
    ]);
  });

  test("a judge's failures name that judge's endpoint, counted over the samples it could judge", () => {
    const samples = [
      ok(0, { self: judgement(), 'qwen-prm': judgement('fetch failed') }),
      ok(1, { self: judgement(), 'qwen-prm': judgement('fetch failed') }),
      ok(2, { self: judgement('no step scored'), 'qwen-prm': judgement() }),
      { index: 3, text: '', steps: [], answer: null, error: 'HTTP 500', judgements: {} },
    ];
    assert.deepEqual(endpointFailures({ samples }, endpoints), [
      'sampling failed on 1 of 4 samples (HTTP 500) at the policy endpoint POLICY',
      'self failed on 1 of 3 samples (no step scored) at POLICY',
      'qwen-prm failed on 2 of 3 samples (fetch failed) at PRM',
    ]);
  });

  test('judges kept from an earlier run (not named) are not reported again', () => {
    const samples = [ok(0, { self: judgement(), 'old-prm': judgement('HTTP 404') })];
    assert.deepEqual(endpointFailures({ samples }, { policy: 'POLICY', judges: { self: 'POLICY' } }), []);
  });
});
