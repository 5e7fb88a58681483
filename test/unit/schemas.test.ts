import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import { renderJsonSchemas } from '../../src/core/jsonSchemas.js';
import { AuditEventSchema, type Run, RunSchema } from '../../src/core/schemas.js';
import { ROOT } from '../support.js';

const config = RunConfigSchema.parse({
  policy: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'Qwen/QwQ-32B', apiKeyEnv: 'OPENAI_API_KEY' },
  prms: [
    {
      id: 'qwen-prm',
      kind: 'vllm-pooling',
      baseUrl: 'http://127.0.0.1:8001',
      model: 'Qwen/Qwen2.5-Math-PRM-7B',
    },
  ],
});

function minimalRun(): Run {
  return {
    schemaVersion: 1,
    id: 'run-1',
    createdAt: '2026-11-28T10:00:00.000Z',
    status: 'complete',
    problem: { id: 'p', text: 'What is 1+1?', reference: '2', format: 'text', source: { file: 'p.md' } },
    config,
    judges: [
      { id: 'self', kind: 'self-critic', model: 'Qwen/QwQ-32B' },
      { id: 'qwen-prm', kind: 'vllm-pooling', model: 'Qwen/Qwen2.5-Math-PRM-7B' },
    ],
    samples: [
      {
        index: 0,
        text: '1+1 = 2.\n\nSo \\boxed{2}.',
        steps: ['1+1 = 2.', 'So \\boxed{2}.'],
        answer: '2',
        correct: true,
        judgements: {
          self: { stepScores: [1, 0.75], firstError: -1, verdicts: [-1, -1, -1, 1] },
          'qwen-prm': { stepScores: [0.99, null], firstError: -1, unscoredFrom: 1 },
        },
      },
    ],
    rerank: [{ method: 'majority', sample: 0, answer: '2', correct: true, rule: 'first' }],
  };
}

describe('config', () => {
  test('fills the documented defaults', () => {
    assert.equal(config.policy.n, 8);
    assert.equal(config.selfJudge.mode, 'critic');
    assert.equal(config.selfJudge.samples, 4);
    assert.equal(config.steps.strategy, 'paragraph');
    assert.equal(config.aggregate, 'min');
  });

  test('rejects a key-looking env name, a non-http URL, duplicate and reserved judge ids', () => {
    const bad = (input: unknown) => RunConfigSchema.safeParse(input).success;
    const policy = { baseUrl: 'http://x/v1', model: 'm' };
    assert.equal(bad({ policy: { ...policy, apiKeyEnv: 'sk-abc123' } }), false);
    assert.equal(bad({ policy: { ...policy, baseUrl: 'file:///etc/passwd' } }), false);
    const prm = { kind: 'vllm-pooling', baseUrl: 'http://x', model: 'm' };
    assert.equal(
      bad({
        policy,
        prms: [
          { ...prm, id: 'a' },
          { ...prm, id: 'a' },
        ],
      }),
      false,
    );
    assert.equal(bad({ policy, prms: [{ ...prm, id: 'self' }] }), false);
    assert.equal(bad({ policy, prms: [{ ...prm, id: 'a' }] }), true);
  });
});

describe('run and audit schemas', () => {
  test('a well-formed run validates; scores outside [0,1] and other schema versions do not', () => {
    assert.equal(RunSchema.safeParse(minimalRun()).success, true);
    const scoreTooHigh = minimalRun();
    scoreTooHigh.samples[0]!.judgements.self!.stepScores = [1.2, 0.5];
    assert.equal(RunSchema.safeParse(scoreTooHigh).success, false);
    assert.equal(RunSchema.safeParse({ ...minimalRun(), schemaVersion: 2 }).success, false);
  });

  test('audit events: each type validates; a rating of 2 and a missing step do not', () => {
    const base = { schemaVersion: 1, at: '2026-11-28T10:00:00.000Z', sample: 0 };
    for (const event of [
      { ...base, type: 'stepRating', step: 1, rating: -1 },
      { ...base, type: 'stepRating', step: 1, rating: null },
      { ...base, type: 'whoWasRight', step: 1, judge: 'qwen-prm', who: 'prm' },
      { ...base, type: 'firstError', step: -1 },
      { ...base, type: 'note', text: 'self missed the sign error' },
      { ...base, type: 'clear', step: 3 },
    ]) {
      assert.equal(AuditEventSchema.safeParse(event).success, true, JSON.stringify(event));
    }
    assert.equal(
      AuditEventSchema.safeParse({ ...base, type: 'stepRating', step: 1, rating: 2 }).success,
      false,
    );
    assert.equal(AuditEventSchema.safeParse({ ...base, type: 'stepRating', rating: 1 }).success, false);
  });

  test('the JSON Schema files in schemas/ are generated from these zod schemas and up to date', () => {
    const rendered = renderJsonSchemas();
    assert.deepEqual(Object.keys(rendered).sort(), [
      'audit-event.schema.json',
      'config.schema.json',
      'dataset-report.schema.json',
      'dataset.schema.json',
      'problem.schema.json',
      'run.schema.json',
    ]);
    for (const [name, text] of Object.entries(rendered)) {
      assert.equal(
        readFileSync(join(ROOT, 'schemas', name), 'utf8'),
        text,
        `schemas/${name} is stale: npm run schemas`,
      );
    }
    const run = JSON.parse(rendered['run.schema.json']!);
    assert.deepEqual(run.properties.schemaVersion, { type: 'number', const: 1 });
    assert.ok(run.required.includes('samples'));
  });
});

describe('run files', () => {
  test('written atomically, read back equal; another schema version and a broken field are named', async () => {
    const { mkdtempSync, readdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { readRun, writeRun, parseRun } = await import('../../src/io/runFiles.js');
    const dir = mkdtempSync(join(tmpdir(), 'steplens-run-'));
    const path = join(dir, 'nested', 'run.json');
    await writeRun(path, minimalRun());
    assert.deepEqual(await readRun(path), RunSchema.parse(minimalRun()));
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['run.json'], 'no temp file left behind');
    assert.throws(
      () => parseRun('old.json', JSON.stringify({ ...minimalRun(), schemaVersion: 2 })),
      /old\.json, field "schemaVersion": this run file has schema version 2; this StepLens reads version 1/,
    );
    const broken = minimalRun() as unknown as { samples: { steps: unknown }[] };
    broken.samples[0]!.steps = 'not a list';
    assert.throws(() => parseRun('bad.json', JSON.stringify(broken)), /bad\.json, field "samples\.0\.steps"/);
    writeFileSync(join(dir, 'x.json'), '{"schemaVersion": 1,');
    await assert.rejects(readRun(join(dir, 'x.json')), /invalid JSON/);
    await assert.rejects(readRun(join(dir, 'missing.json')), /missing\.json: no such file/);
  });
});
