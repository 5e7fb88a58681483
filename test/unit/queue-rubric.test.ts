/**
 * The rubric pane's Markdown (src/core/rubric.ts): the small subset it understands becomes blocks
 * of plain text; anything else, HTML included, stays text as written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RUBRIC, inlineSpans, parseRubric, RUBRIC_MAX_CHARS } from '../../src/core/rubric.js';

test('headings, paragraphs, both kinds of list and fenced code', () => {
  const blocks = parseRubric(
    '# Title #\n\nOne line\nwrapped.\n\n- first\n  continued\n* second\n1. one\n2) two\n\n```\n<b>raw</b>\n```\nafter',
  );
  assert.deepEqual(blocks, [
    { kind: 'heading', level: 1, spans: [{ text: 'Title' }] },
    { kind: 'paragraph', spans: [{ text: 'One line wrapped.' }] },
    { kind: 'list', ordered: false, items: [[{ text: 'first continued' }], [{ text: 'second' }]] },
    { kind: 'list', ordered: true, items: [[{ text: 'one' }], [{ text: 'two' }]] },
    { kind: 'code', text: '<b>raw</b>' },
    { kind: 'paragraph', spans: [{ text: 'after' }] },
  ]);
});

test('bold, italic and code spans; HTML and links stay text', () => {
  assert.deepEqual(inlineSpans('a **b** _c_ `d*e*` <img src=x> [l](http://x)'), [
    { text: 'a ' },
    { text: 'b', strong: true },
    { text: ' ' },
    { text: 'c', em: true },
    { text: ' ' },
    { text: 'd*e*', code: true },
    { text: ' <img src=x> [l](http://x)' },
  ]);
  // A lone star (a product, "2 * 3") is no emphasis.
  assert.deepEqual(inlineSpans('2 * 3 = 6'), [{ text: '2 * 3 = 6' }]);
});

test('the default rubric explains the three ratings and the first error', () => {
  const blocks = parseRubric(DEFAULT_RUBRIC);
  const text = JSON.stringify(blocks);
  for (const phrase of [
    '+1 good (key 3)',
    '0 neutral (key 2)',
    '−1 wrong (key 1)',
    'The first error (key e)',
  ])
    assert.ok(text.includes(phrase), phrase);
  assert.equal(blocks[0]?.kind, 'heading');
});

test('a huge file is cut, not parsed whole', () => {
  const blocks = parseRubric(`${'x'.repeat(RUBRIC_MAX_CHARS)}TAIL`);
  assert.equal(JSON.stringify(blocks).includes('TAIL'), false);
});
