import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStepStrategy, type StepStrategy, separateReasoning, splitSteps } from '../../src/core/steps.js';
import { processBenchRows } from '../support.js';

describe('paragraph splitting', () => {
  test('every ProcessBench row joined by blank lines splits back into exactly its steps', () => {
    const rows = processBenchRows();
    assert.equal(rows.length, 40);
    for (const row of rows) {
      assert.deepEqual(splitSteps(row.steps.join('\n\n'), 'paragraph'), row.steps, row.id);
    }
  });

  test('trims, drops empty paragraphs, and accepts CRLF and whitespace-only separator lines', () => {
    const text = '\n\n  First step.  \r\n \t \r\n\r\n\r\nSecond step\nstill second.\n\n\n';
    assert.deepEqual(splitSteps(text), ['First step.', 'Second step\nstill second.']);
  });

  test('never splits inside a fenced code block with blank lines', () => {
    const text = 'Compute it:\n\n```python\nx = 1\n\ny = 2\n```\n\nDone.';
    assert.deepEqual(splitSteps(text), ['Compute it:', '```python\nx = 1\n\ny = 2\n```', 'Done.']);
  });

  test('never splits inside $$…$$, \\[…\\] or an environment that holds blank lines', () => {
    const dollars = 'We get\n$$\na = 1\n\nb = 2\n$$\nso a < b.\n\nNext.';
    assert.deepEqual(splitSteps(dollars), ['We get\n$$\na = 1\n\nb = 2\n$$\nso a < b.', 'Next.']);
    const brackets = 'Then\n\\[\nx^2\n\n= 4\n\\]\n\nThus x = 2.';
    assert.deepEqual(splitSteps(brackets), ['Then\n\\[\nx^2\n\n= 4\n\\]', 'Thus x = 2.']);
    const align = '\\begin{align}\na &= 1 \\\\\n\nb &= 2\n\\end{align}\n\nEnd.';
    assert.deepEqual(splitSteps(align), ['\\begin{align}\na &= 1 \\\\\n\nb &= 2\n\\end{align}', 'End.']);
  });

  test('an unclosed \\[ or $$ (a stray delimiter, a cut-off answer) does not swallow the rest', () => {
    const text =
      'We restate: find the roots of \\[\\frac{(x+1)}{5(…\n\nNext we compute $8$.\n\nSo \\boxed{3}.';
    assert.deepEqual(splitSteps(text), [
      'We restate: find the roots of \\[\\frac{(x+1)}{5(…',
      'Next we compute $8$.',
      'So \\boxed{3}.',
    ]);
    assert.deepEqual(splitSteps('A $$ x\n\nB\n\nC'), ['A $$ x', 'B', 'C']);
    assert.deepEqual(splitSteps('```\ncode\n\nmore', 'paragraph'), ['```\ncode', 'more']);
  });

  test('inline $$…$$ on one line does not swallow the following paragraphs', () => {
    assert.deepEqual(splitSteps('So $$x=1$$ here.\n\nNext.\n\nLast.'), [
      'So $$x=1$$ here.',
      'Next.',
      'Last.',
    ]);
  });
});

describe('other strategies', () => {
  test('lines: one step per non-empty line, display blocks kept whole', () => {
    assert.deepEqual(splitSteps('a = 1\n\nb = 2\n$$\nc\n\nd\n$$\ne', 'lines'), [
      'a = 1',
      'b = 2',
      '$$\nc\n\nd\n$$',
      'e',
    ]);
  });

  test('markers: "Step N" headings in their common spellings, with the preamble as its own step', () => {
    const text =
      "Let's solve it.\nStep 1: Add.\n1 + 1 = 2\n\n**Step 2** Multiply.\n2 * 3 = 6\n## Step 3. Answer\nThe answer is 6.";
    assert.deepEqual(splitSteps(text, 'markers'), [
      "Let's solve it.",
      'Step 1: Add.\n1 + 1 = 2',
      '**Step 2** Multiply.\n2 * 3 = 6',
      '## Step 3. Answer\nThe answer is 6.',
    ]);
  });

  test('markers: a numbered list counts only as a 1, 2, 3 run, and not inside code', () => {
    const text = '1. First.\nSee item 5. below\n2) Second.\n```\n3. not a step\n```\n3. Third.';
    assert.deepEqual(splitSteps(text, 'markers'), [
      '1. First.\nSee item 5. below',
      '2) Second.\n```\n3. not a step\n```',
      '3. Third.',
    ]);
  });

  test('auto: markers when there are several, else paragraphs, else lines', () => {
    assert.deepEqual(splitSteps('Step 1: a\nStep 2: b', 'auto'), ['Step 1: a', 'Step 2: b']);
    assert.deepEqual(splitSteps('a\nb\n\nc', 'auto'), ['a\nb', 'c']);
    assert.deepEqual(splitSteps('a\nb\nc', 'auto'), ['a', 'b', 'c']);
  });
});

describe('reasoning traces', () => {
  test('<think>…</think> is set apart from the answer text', () => {
    assert.deepEqual(separateReasoning('<think>\nhmm, 2+2\n</think>\n\nThe answer is 4.'), {
      reasoning: 'hmm, 2+2',
      answerText: 'The answer is 4.',
    });
  });

  test('a lone closing tag (opening tag was in the prompt) still separates', () => {
    assert.deepEqual(separateReasoning('wait, maybe 5\n</think>\nSo 5.'), {
      reasoning: 'wait, maybe 5',
      answerText: 'So 5.',
    });
  });

  test('a trace cut off before its closing tag is all reasoning, no answer', () => {
    assert.deepEqual(separateReasoning('<think>let me see… 3, 4'), {
      reasoning: 'let me see… 3, 4',
      answerText: '',
    });
  });

  test('text without tags is all answer; an empty trace is dropped', () => {
    assert.deepEqual(separateReasoning('  Just 7.  '), { answerText: 'Just 7.' });
    assert.deepEqual(separateReasoning('<think></think>7'), { answerText: '7' });
  });
});

/** How each text splits, as a reader would cut it (checked by hand, one case per rule). */
const SPLITS: [string, string, string, string[]][] = [
  [
    'a fence keeps its blank lines',
    'A.\n\n```\ncode\n\nmore\n```\n\nB.',
    'paragraph',
    ['A.', '```\ncode\n\nmore\n```', 'B.'],
  ],
  [
    'a fence closes only with its own character',
    'A.\n\n~~~~\ncode\n\n```\nstill code\n~~~\n\nstill\n~~~~\n\nB.',
    'paragraph',
    ['A.', '~~~~\ncode\n\n```\nstill code\n~~~\n\nstill\n~~~~', 'B.'],
  ],
  [
    '…and at least its own length',
    '````\na\n\n```\n\nb\n````\n\nc',
    'paragraph',
    ['````\na\n\n```\n\nb\n````', 'c'],
  ],
  [
    'an indented fence is a fence',
    'A.\n\n  ```py\nx = 1\n\ny = 2\n  ```\nB.',
    'paragraph',
    ['A.', '```py\nx = 1\n\ny = 2\n  ```\nB.'],
  ],
  [
    '$$…$$ on one line opens nothing',
    'Cost is \\$5.\n\nThen $$x$$ inline.\n\nC.',
    'paragraph',
    ['Cost is \\$5.', 'Then $$x$$ inline.', 'C.'],
  ],
  ['a display keeps its blank lines', '$$\na\n\nb\n$$\n\nAfter.', 'paragraph', ['$$\na\n\nb\n$$', 'After.']],
  [
    'an escaped \\$$ opens no display',
    'Costs \\$$5.\n\n$$\nx\n\ny\n$$\n\nEnd.',
    'paragraph',
    ['Costs \\$$5.', '$$\nx\n\ny\n$$', 'End.'],
  ],
  ['CR LF and lone CR are line ends', 'A.\r\n\r\nB.\rC.\r\rD.', 'paragraph', ['A.', 'B.\nC.', 'D.']],
  ['\\[…\\] keeps its blank lines', '\\[\n x\n\n y\n\\]\n\nZ.', 'paragraph', ['\\[\n x\n\n y\n\\]', 'Z.']],
  [
    'nested environments keep theirs',
    '\\begin{align}\n\\begin{cases}\na\n\n\\end{cases}\n\nb\n\\end{align}\n\nZ.',
    'paragraph',
    ['\\begin{align}\n\\begin{cases}\na\n\n\\end{cases}\n\nb\n\\end{align}', 'Z.'],
  ],
  [
    'an unclosed \\[ swallows nothing',
    'Open \\[ never closed.\n\nNext.\n\nLast.',
    'paragraph',
    ['Open \\[ never closed.', 'Next.', 'Last.'],
  ],
  ['lines: a display is one step', 'a\nb\n$$\nc\nd\n$$\ne', 'lines', ['a', 'b', '$$\nc\nd\n$$', 'e']],
  [
    'markers: step headings of every style',
    'Intro.\nStep 1: do x.\nmore x.\n**Step 2.** do y.\n## Step 3\ndo z.',
    'markers',
    ['Intro.', 'Step 1: do x.\nmore x.', '**Step 2.** do y.', '## Step 3\ndo z.'],
  ],
  [
    'markers: any case, dash, underscores, two digits',
    'Pre\nSTEP 1 - a\n__Step 2__ b\n# Step 10) c',
    'markers',
    ['Pre', 'STEP 1 - a', '__Step 2__ b', '# Step 10) c'],
  ],
  ['markers: indented, extra spaces', '  Step 1\nx\n   step  2:\ny', 'markers', ['Step 1\nx', 'step  2:\ny']],
  [
    'markers: numbered items only as a run 1, 2, 3',
    'Intro.\n1. first\n2) second\n3. third\nthen 3. stray\n5. skipped',
    'markers',
    ['Intro.', '1. first', '2) second', '3. third\nthen 3. stray\n5. skipped'],
  ],
  [
    'markers: "Stepping 1" is no heading',
    'Stepping 1 is not a step.\n\nSecond paragraph.',
    'markers',
    ['Stepping 1 is not a step.', 'Second paragraph.'],
  ],
  [
    'markers: a repeated "1." is no run',
    'Steps 1 to 2\n1. a\n1. b',
    'markers',
    ['Steps 1 to 2', '1. a\n1. b'],
  ],
  [
    'markers: "1.5" is a number, not an item',
    '1.5 is a number\n2. not a list start',
    'markers',
    ['1.5 is a number\n2. not a list start'],
  ],
  ['auto: one line stays one step', 'One line only', 'auto', ['One line only']],
  ['auto: paragraphs', 'a\n\nb', 'auto', ['a', 'b']],
  ['auto: markers first', 'Step 1: a\nStep 2: b', 'auto', ['Step 1: a', 'Step 2: b']],
  ['auto: lines when there is nothing else', 'x\ny', 'auto', ['x', 'y']],
];

describe('how texts split, rule by rule', () => {
  for (const [rule, text, strategy, steps] of SPLITS) {
    test(`${strategy}: ${rule}`, () => assert.deepEqual(splitSteps(text, strategy as StepStrategy), steps));
  }
  test('the strategy names the CLI and settings accept', () => {
    assert.deepEqual(['paragraph', 'lines', 'markers', 'auto', 'words', ''].map(isStepStrategy), [
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
