import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { humanFirstError } from '../../src/core/audit.js';
import { markdownCell } from '../../src/core/export.js';
import { smallRun } from '../fixtures/smallRun.js';

describe('the human first error of a sample without steps', () => {
  test('is unknown, not "no error", when nobody labelled it', () => {
    const sample = { ...smallRun().samples[0]!, steps: [] };
    assert.equal(humanFirstError(sample, { steps: {} }), undefined);
    assert.equal(humanFirstError(sample, { firstError: -1, steps: {} }), -1);
  });
});

describe('text in a Markdown table cell', () => {
  const CELLS: [string, string][] = [
    ['two lines\r\n\r\nand a blank one', 'two lines and a blank one'],
    ['R&D <b>bold</b>', 'R&amp;D &lt;b&gt;bold&lt;/b&gt;'],
    ['a | b', 'a \\| b'],
  ];
  for (const [text, cell] of CELLS) {
    test(`${JSON.stringify(text)} → ${cell}`, () => assert.equal(markdownCell(text), cell));
  }
});
