import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { ProblemSchema } from '../../src/core/problems.js';
import { assertUsageFailure, CLI, jsonLines, runCli } from '../cli.js';
import { fixturePath, processBenchRows } from '../support.js';

before(() => assert.ok(existsSync(CLI), 'dist/cli.js is missing: run npm run build first'));

describe('steplens split', () => {
  test('one line out per line in, in order, echoing ids, skipping blank lines', async () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'One.\n\nTwo.' }),
      '',
      JSON.stringify({ text: '<think>scratch\n\nwork</think>\nOnly step.' }),
      JSON.stringify({ id: 7, text: 'x\ny' }),
    ].join('\n');
    const result = await runCli(['split'], input);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout), [
      { id: 'a', steps: ['One.', 'Two.'] },
      { steps: ['Only step.'] },
      { id: 7, steps: ['x\ny'] },
    ]);
  });

  test('--strategy lines splits at every line; an unknown strategy is a usage error', async () => {
    const lines = await runCli(['split', '--strategy', 'lines'], JSON.stringify({ text: 'x\ny' }));
    assert.deepEqual(jsonLines(lines.stdout), [{ steps: ['x', 'y'] }]);
    assertUsageFailure(await runCli(['split', '--strategy', 'words'], ''), /unknown --strategy "words"/);
  });

  test('3,000 ProcessBench solutions split back into their steps', async () => {
    const rows = processBenchRows();
    const input = Array.from({ length: 3000 }, (_, i) => {
      const row = rows[i % rows.length]!;
      return JSON.stringify({ id: i, text: row.steps.join('\n\n') });
    }).join('\n');
    const result = await runCli(['split'], input);
    assert.equal(result.code, 0, result.stderr);
    const out = jsonLines(result.stdout) as { id: number; steps: string[] }[];
    assert.equal(out.length, 3000);
    out.forEach((line, i) => {
      assert.equal(line.id, i);
      assert.deepEqual(line.steps, rows[i % rows.length]!.steps);
    });
  });

  test('a bad line stops with its line number, the field, exit 2 and no stack', async () => {
    const input = `${JSON.stringify({ id: 1, text: 'ok' })}\n${JSON.stringify({ id: 2, text: 'ok' })}\n{"id": 3, "txt": "typo"}\n`;
    assertUsageFailure(await runCli(['split'], input), /^steplens split: stdin, line 3, field "text": /);
    assertUsageFailure(
      await runCli(['split'], '{"id": 1, text: 2}'),
      /stdin, line 1: invalid JSON \(column 11/,
    );
  });
});

describe('steplens answer', () => {
  test('extracts answers and judges them only when a reference is given', async () => {
    const input = [
      { id: 1, text: 'So the total is \\boxed{\\dfrac{1}{2}}.', reference: '0.5' },
      { id: 2, text: '<think>the answer is 9</think>\nThe answer is 4.', reference: 4 },
      { id: 3, text: 'She has 12 apples.' },
      { id: 4, text: 'The pair is (1, 2) overall, 3 times.', reference: '(1,2)' },
      { id: 5, text: 'No idea.' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const result = await runCli(['answer'], input);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout), [
      { id: 1, answer: '\\dfrac{1}{2}', correct: true },
      { id: 2, answer: '4', correct: true },
      { id: 3, answer: '12' },
      { id: 4, answer: null, correct: false },
      { id: 5, answer: null },
    ]);
  });

  test('answers the last steps of 3,000 ProcessBench rows, one line each', async () => {
    const rows = processBenchRows();
    const input = Array.from({ length: 3000 }, (_, i) => {
      const row = rows[i % rows.length]!;
      return JSON.stringify({ id: `${row.id}/${i}`, text: row.steps.join('\n\n') });
    }).join('\n');
    const result = await runCli(['answer'], input);
    const out = jsonLines(result.stdout) as { id: string; answer: string | null }[];
    assert.equal(out.length, 3000);
    assert.ok(out.every((line, i) => line.id.endsWith(`/${i}`) && line.answer !== null));
  });
});

describe('steplens equiv, import, metrics', () => {
  test('equiv prints true or false', async () => {
    assert.equal((await runCli(['equiv', '\\frac{3}{4}', '0.75'])).stdout, 'true\n');
    assert.equal((await runCli(['equiv', '(1,2)', '(2,1)'])).stdout, 'false\n');
    assertUsageFailure(await runCli(['equiv', '1']), /expected 2 argument\(s\)/);
  });

  test('equiv and answer decide symbolic equalities with the bundled compute-engine worker', async () => {
    assert.equal((await runCli(['equiv', '2\\sqrt2', '\\sqrt8'])).stdout, 'true\n');
    assert.equal((await runCli(['equiv', '2x+2', '2(x+1)'])).stdout, 'true\n');
    assert.equal((await runCli(['equiv', '\\sqrt8', '2\\sqrt3'])).stdout, 'false\n');
    assert.equal((await runCli(['equiv', '(1,2)', '[1,2]'])).stdout, 'false\n');
    const input = [
      { id: 1, text: 'Hence \\boxed{\\frac{\\sqrt2}{2}}.', reference: '\\frac{1}{\\sqrt{2}}' },
      { id: 2, text: 'Hence \\boxed{2^{10}}.', reference: 1000 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const result = await runCli(['answer'], input);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(jsonLines(result.stdout), [
      { id: 1, answer: '\\frac{\\sqrt2}{2}', correct: true },
      { id: 2, answer: '2^{10}', correct: false },
    ]);
  });

  test('import writes one valid problem per row', async () => {
    const result = await runCli(['import', fixturePath('processbench_sample_40.jsonl')]);
    assert.equal(result.code, 0, result.stderr);
    const problems = jsonLines(result.stdout).map((line) => ProblemSchema.parse(line));
    assert.equal(problems.length, 40);
    assert.equal(problems[0]!.id, 'gsm8k-0');
    assert.equal(problems[39]!.source.row, 40);
  });

  test('import names the file, line and field of bad input', async () => {
    assertUsageFailure(
      await runCli(['import', fixturePath('problems', 'bad-steps.jsonl')]),
      /bad-steps\.jsonl, line 1, field "steps\.1"/,
    );
    assertUsageFailure(await runCli(['import', 'nope/missing.jsonl']), /nope\/missing\.jsonl: no such file/);
  });

  test('metrics computes ProcessBench F1 from label/prediction lines', async () => {
    const input = [
      { label: 1, prediction: 1 },
      { label: 2, prediction: -1 },
      { label: -1, prediction: -1 },
      { label: -1, prediction: -1 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const result = await runCli(['metrics'], input);
    assert.deepEqual(jsonLines(result.stdout), [{ acc_erroneous: 0.5, acc_correct: 1, f1: 2 / 3, n: 4 }]);
    assertUsageFailure(await runCli(['metrics'], '{"label": -2, "prediction": 0}'), /line 1, field "label"/);
  });
});

describe('usage', () => {
  test('--help for the tool and for each command', async () => {
    const main = await runCli(['--help']);
    assert.equal(main.code, 0);
    for (const command of ['split', 'answer', 'equiv', 'import', 'metrics']) {
      assert.match(main.stdout, new RegExp(`^  ${command} `, 'm'));
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`Usage: steplens ${command}`));
    }
  });

  test('unknown commands and options are usage errors', async () => {
    assertUsageFailure(await runCli(['frobnicate']), /unknown command "frobnicate"/);
    assertUsageFailure(await runCli(['answer', '--fast']), /Unknown option '--fast'/);
    const bare = await runCli([]);
    assert.equal(bare.code, 2);
  });
});
