import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type StepStrategy, separateReasoning, splitSteps } from '../../src/core/steps.js';

const items = (count: number) => Array.from({ length: count }, (_, i) => `${i + 1}. item ${i + 1}`);

/** How each text splits, as a reader would cut it (checked by hand, one case per rule). */
const SPLITS: [string, string, StepStrategy, string[]][] = [
  [
    'backticks in the middle of a line open no fence',
    'We write ``` in Markdown.\n\nMiddle.\n\nThe closing ``` too.',
    'paragraph',
    ['We write ``` in Markdown.', 'Middle.', 'The closing ``` too.'],
  ],
  [
    '$$ at the end of a line opens a display that a later $$ closes',
    'Then $$\nx\n\ny\n$$ so.\n\nNext.',
    'paragraph',
    ['Then $$\nx\n\ny\n$$ so.', 'Next.'],
  ],
  [
    'a display after a closed one still holds its blank lines',
    '$$\na\n$$\n\nThen \\[\nb\n\nc\n\\]\n\nEnd.',
    'paragraph',
    ['$$\na\n$$', 'Then \\[\nb\n\nc\n\\]', 'End.'],
  ],
  [
    'lines: a fence is one step, and the line after it is its own',
    'a\n```\nx\ny\n```\nb',
    'lines',
    ['a', '```\nx\ny\n```', 'b'],
  ],
  [
    'lines: an environment is one step',
    'a\n\\begin{cases}\nx\ny\n\\end{cases}\nb',
    'lines',
    ['a', '\\begin{cases}\nx\ny\n\\end{cases}', 'b'],
  ],
  [
    'lines: an unclosed \\[ is an ordinary line',
    'Open \\[ here\nmore\nlast',
    'lines',
    ['Open \\[ here', 'more', 'last'],
  ],
  [
    'paragraph: an unclosed \\[ after a closed fence splits as plain text',
    '```\ncode\n```\n\nOpen \\[ here\nmore\n\nNext.',
    'paragraph',
    ['```\ncode\n```', 'Open \\[ here\nmore', 'Next.'],
  ],
  [
    'paragraph: only the unclosed \\[ is plain text; the display after it still holds',
    'Open \\[ here\n$$\nx\n\ny\n$$\nEnd',
    'paragraph',
    ['Open \\[ here\n$$\nx\n\ny\n$$\nEnd'],
  ],
  [
    'markers: "step 1." inside a step is no heading',
    'Step 1: a\nas in step 1.\nStep 2: b',
    'markers',
    ['Step 1: a\nas in step 1.', 'Step 2: b'],
  ],
  [
    'markers: "Substep 1:" is no heading',
    'Step 1: a\nSubstep 1: detail\nStep 2: b',
    'markers',
    ['Step 1: a\nSubstep 1: detail', 'Step 2: b'],
  ],
  [
    'markers: "see also 2." inside an item is no item',
    'Intro.\n1. a\nsee also 2. b\n2. c',
    'markers',
    ['Intro.', '1. a\nsee also 2. b', '2. c'],
  ],
  ['markers: indented numbered items', 'Intro.\n  1. a\n  2. b', 'markers', ['Intro.', '1. a', '2. b']],
  ['markers: two spaces after the number', '1.  a\n2.  b', 'markers', ['1.  a', '2.  b']],
  ['markers: a run past 9', items(11).join('\n'), 'markers', items(11)],
  [
    'auto: two step headings are enough for markers',
    'Step 1: a\nmore a\nStep 2: b',
    'auto',
    ['Step 1: a\nmore a', 'Step 2: b'],
  ],
];

describe('how texts split, more rules', () => {
  for (const [rule, text, strategy, steps] of SPLITS) {
    test(`${strategy}: ${rule}`, () => assert.deepEqual(splitSteps(text, strategy), steps));
  }
});

describe('reasoning traces, more cases', () => {
  test('text before the opening tag belongs to the answer', () => {
    assert.deepEqual(separateReasoning('Sure. <think>2+2 is 4</think> The answer is 4.'), {
      reasoning: '2+2 is 4',
      answerText: 'Sure.  The answer is 4.',
    });
  });

  test('a cut-off trace is trimmed, and the text before it is the answer text', () => {
    assert.deepEqual(separateReasoning('Intro \n<think>  let me see  '), {
      reasoning: 'let me see',
      answerText: 'Intro',
    });
  });

  test('an opening tag with nothing after it gives no reasoning', () => {
    assert.deepEqual(separateReasoning('Intro <think>  '), { answerText: 'Intro' });
  });
});
