/**
 * The Self-PRM paper's Table 4 as the report carries it (src/core/paperTables.ts): every number
 * against test/fixtures/self_prm_paper_table4.json (copied from the project's shared transcription,
 * its source noted there), and the naming rules that decide which numbers a run is drawn beside.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PAPER_DATASETS, paperDataset, paperModel, paperPoints } from '../../src/core/paperTables.js';
import { ROOT } from '../support.js';

const fixture = JSON.parse(
  readFileSync(join(ROOT, 'test', 'fixtures', 'self_prm_paper_table4.json'), 'utf8'),
) as {
  table4: Record<string, Record<string, Record<string, Record<string, number>>>>;
};

test('every number of Table 4, and nothing else', () => {
  for (const dataset of PAPER_DATASETS) {
    const expected: string[] = [];
    for (const [row, byK] of Object.entries(fixture.table4))
      for (const [k, byModel] of Object.entries(byK))
        for (const [model, values] of Object.entries(byModel))
          expected.push(`${row} ${k} ${model} ${values[dataset]}`);
    const actual = paperPoints(dataset).map(
      (point) => `${point.row} ${point.k} ${point.model} ${point.value}`,
    );
    assert.deepEqual(actual.sort(), expected.sort(), dataset);
  }
  assert.deepEqual(
    paperPoints('AIME24', ['DeepSeek-R1'])
      .filter((point) => point.row === 'bon_self_prm')
      .map((point) => [point.k, point.value]),
    [
      [8, 83.3],
      [16, 86.7],
      [32, 86.7],
      [64, 86.7],
    ],
  );
});

test('dataset names: the paper’s name or its four-digit year, anywhere, any case or separator', () => {
  assert.equal(paperDataset('aime24-qwq'), 'AIME24');
  assert.equal(paperDataset('AIME_2025'), 'AIME25');
  assert.equal(paperDataset('runs/cnmo-24'), 'CNMO24');
  assert.equal(paperDataset('AIME 2024 (QwQ)'), 'AIME24');
  assert.equal(paperDataset('math500'), null);
  assert.equal(paperDataset('aime'), null);
  assert.equal(paperDataset('aime23'), null);
});

test('models: QwQ-32B, DeepSeek-R1 (not its distillations), else none', () => {
  assert.equal(paperModel('Qwen/QwQ-32B'), 'QwQ-32B');
  assert.equal(paperModel('qwq-32b-awq'), 'QwQ-32B');
  assert.equal(paperModel('deepseek-ai/DeepSeek-R1'), 'DeepSeek-R1');
  assert.equal(paperModel('deepseek-ai/DeepSeek-R1-Distill-Qwen-7B'), null);
  assert.equal(paperModel('gpt-4o'), null);
});
