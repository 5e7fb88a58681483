import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { type Problem, ProblemSchema, parseProblemFile } from '../../src/core/problems.js';
import { processBenchRows, readFixture } from '../support.js';

function parseFixture(name: string): Problem[] {
  const problems = parseProblemFile(name, readFixture('problems', name));
  for (const problem of problems) ProblemSchema.parse(problem);
  return problems;
}

function parseError(name: string, content = readFixture('problems', name)): InputError {
  try {
    parseProblemFile(name, content);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${error}`);
    return error;
  }
  assert.fail(`${name} parsed without error`);
}

describe('text problems', () => {
  test('a Markdown file is one problem; its Answer line is the reference and leaves the text', () => {
    const [problem] = parseFixture('answer-line.md');
    assert.equal(problem?.id, 'answer-line');
    assert.equal(problem?.reference, '5');
    assert.equal(
      problem?.text,
      '# Triangle\n\nA right triangle has legs $3$ and $4$. What is the length of its hypotenuse?',
    );
    assert.equal(problem?.format, 'text');
  });

  test('front matter gives the id and the reference', () => {
    const [problem] = parseFixture('front-matter.md');
    assert.deepEqual(
      { id: problem?.id, reference: problem?.reference, text: problem?.text },
      {
        id: 'aime-style-7',
        reference: '\\frac{1}{2}',
        text: 'Find the probability that a fair coin lands heads.',
      },
    );
  });

  test('a plain text file without answer has no reference', () => {
    const [problem] = parseFixture('plain.txt');
    assert.equal(problem?.text, 'What is 6 times 7?');
    assert.equal(problem?.reference, undefined);
  });

  test('an empty file is an error naming the file', () => {
    assert.equal(parseError('empty.txt').message, 'empty.txt: the file holds no problem text');
  });
});

describe('row files', () => {
  test('ProcessBench rows keep their steps, label and generator', () => {
    const problems = parseProblemFile('processbench.jsonl', readFixture('processbench_sample_40.jsonl'));
    const rows = processBenchRows();
    assert.equal(problems.length, rows.length);
    const first = problems[0]!;
    assert.equal(first.id, 'gsm8k-0');
    assert.equal(first.format, 'processbench');
    assert.deepEqual(first.steps, rows[0]!.steps);
    assert.equal(first.humanFirstError, 1);
    assert.equal(first.finalAnswerCorrect, false);
    assert.equal(first.generator, 'Qwen2-7B-Instruct');
    assert.deepEqual(first.source, { file: 'processbench.jsonl', row: 1 });
    assert.deepEqual(
      problems.map((p) => p.humanFirstError),
      rows.map((r) => r.label),
    );
  });

  test('MATH and AIME rows: answer field, any capitalisation, or the boxed answer of the solution', () => {
    const problems = parseFixture('math.jsonl');
    assert.deepEqual(
      problems.map((p) => [p.id, p.reference, p.format]),
      [
        ['test/algebra/1.json', '5', 'math'],
        ['2024-I-3', '24', 'math'],
        ['math:3', '\\frac{1}{2}', 'math'],
      ],
    );
  });

  test('GSM8K rows: the reference is what follows ####, without thousands separators', () => {
    const problems = parseFixture('gsm8k.jsonl');
    assert.deepEqual(
      problems.map((p) => [p.reference, p.format]),
      [
        ['7', 'gsm8k'],
        ['13500', 'gsm8k'],
      ],
    );
  });

  test('PRM800K rows: chosen completions become steps with their ratings; the first −1 is the human label', () => {
    const [found, solved] = parseFixture('prm800k.jsonl');
    assert.equal(found?.reference, '2');
    assert.deepEqual(found?.steps, ['We add the numbers.', '1 + 1 = 3.']);
    assert.deepEqual(found?.stepRatings, [1, -1]);
    assert.equal(found?.humanFirstError, 1);
    assert.deepEqual(solved?.steps, ['Multiply.', '2 * 3 = 6, so the answer is 6.']);
    assert.equal(solved?.humanFirstError, -1);
  });

  test('a PRM800K row the labeller gave up on has no first-error label (not "no error")', () => {
    const row = (finish: string) =>
      JSON.stringify({
        question: { problem: 'Q' },
        label: {
          steps: [{ completions: [{ text: 'a', rating: 1 }], chosen_completion: 0 }],
          finish_reason: finish,
        },
      });
    const labels = ['give_up', 'bad_problem', 'solution'].map(
      (finish) => parseProblemFile('prm.jsonl', row(finish))[0]?.humanFirstError,
    );
    assert.deepEqual(labels, [undefined, undefined, -1]);
  });

  test('a JSON array gives one problem per element, numbered from 1', () => {
    const problems = parseFixture('rows.json');
    assert.deepEqual(
      problems.map((p) => [p.id, p.source.row]),
      [
        ['p1', 1],
        ['p2', 2],
      ],
    );
  });
});

describe('malformed input names file, line or row, and field', () => {
  test('bad JSON on line 4 of a JSONL file says line 4', () => {
    const error = parseError('bad-json-line4.jsonl');
    assert.deepEqual(error.location, { file: 'bad-json-line4.jsonl', line: 4 });
    assert.match(error.message, /^bad-json-line4\.jsonl, line 4: invalid JSON/);
  });

  test('a row without a problem field lists the fields looked for', () => {
    const error = parseError('no-problem-field.jsonl');
    assert.equal(error.location.line, 2);
    assert.match(error.message, /"problem".*"question\.problem".*"question"/);
  });

  test('a wrongly typed field is named with its path', () => {
    const error = parseError('bad-steps.jsonl');
    assert.deepEqual(error.location, { file: 'bad-steps.jsonl', line: 1, field: 'steps.1' });
    assert.match(error.message, /field "steps\.1": .*string/);
  });

  test('bad JSON in a .json document names its line', () => {
    assert.equal(parseError('bad.json').location.line, 4);
  });

  test('an unsupported extension and a non-object row are refused clearly', () => {
    assert.match(parseError('notes.pdf', 'x').message, /unsupported file type "\.pdf"/);
    assert.match(
      parseError('rows.jsonl', '[1, 2]\n').message,
      /rows\.jsonl, line 1: a row must be a JSON object/,
    );
  });
});

/** Markdown and text problems: what becomes the id, the text and the reference (checked by hand). */
const TEXT_PROBLEMS: [string, string, { id: string; text: string; reference?: string }][] = [
  ['a.md', 'What is 2+2?\n\nAnswer: 4\n', { id: 'a', text: 'What is 2+2?', reference: '4' }],
  ['b.md', 'What is 2+2?\n**Answer:** $4$\n', { id: 'b', text: 'What is 2+2?', reference: '4' }],
  [
    'c.md',
    'Q?\nFinal answer: 7\nmore text after',
    { id: 'c', text: 'Q?\n\nmore text after', reference: '7' },
  ],
  ['d.md', 'Q?\nReference answer:   \\frac{1}{2}  \n', { id: 'd', text: 'Q?', reference: '\\frac{1}{2}' }],
  ['e.md', 'Q?\n__Answer__: x\nAnswer: y\n', { id: 'e', text: 'Q?\n__Answer__: x', reference: 'y' }],
  ['f.md', 'Q?\nanswer:\n', { id: 'f', text: 'Q?\nanswer:' }],
  ['g.md', 'Q?\n  ANSWER : 12\r\n', { id: 'g', text: 'Q?', reference: '12' }],
  [
    'h.md',
    '---\nid: custom-id\nanswer: "42"\n---\nBody text.\nAnswer: 7\n',
    { id: 'custom-id', text: 'Body text.\nAnswer: 7', reference: '42' },
  ],
  [
    'i.md',
    "---\r\nreference: '3'\r\nignored line\r\nid:\r\n---\r\nBody.",
    { id: 'i', text: 'Body.', reference: '3' },
  ],
  ['j.txt', '\uFEFF---\nanswer: 9\n---\nQ', { id: 'j', text: 'Q', reference: '9' }],
  [
    'k.md',
    'The answer: is in the text? No, this is the question.\n',
    { id: 'k', text: 'The answer: is in the text? No, this is the question.' },
  ],
  ['dir/sub.problem.md', 'Q', { id: 'sub.problem', text: 'Q' }],
  ['l.md', 'Q\nMy answer: 5', { id: 'l', text: 'Q\nMy answer: 5' }],
];

describe('text problems, case by case', () => {
  for (const [file, content, expected] of TEXT_PROBLEMS) {
    test(`${file}: ${JSON.stringify(content).slice(0, 50)}`, () => {
      const [problem] = parseProblemFile(file, content);
      assert.deepEqual(
        {
          id: problem!.id,
          text: problem!.text,
          ...(problem!.reference !== undefined ? { reference: problem!.reference } : {}),
        },
        expected,
      );
      assert.equal(problem!.format, 'text');
    });
  }

  test('files with nothing to read are named with the reason', () => {
    const message = (file: string, content: string) => {
      try {
        parseProblemFile(file, content);
        return 'parsed';
      } catch (error) {
        return (error as Error).message;
      }
    };
    assert.equal(message('x.md', '---\nanswer: 1\n---\n   \n'), 'x.md: the file holds no problem text');
    assert.equal(
      message('x.pdf', 'Q'),
      'x.pdf: unsupported file type ".pdf"; StepLens reads .md, .txt, .json, .jsonl',
    );
    assert.equal(
      message('noext', 'Q'),
      'noext: unsupported file type "(none)"; StepLens reads .md, .txt, .json, .jsonl',
    );
    assert.equal(message('e.jsonl', '\n\n'), 'e.jsonl: the file holds no rows');
    assert.equal(message('e.json', '[]'), 'e.json: the file holds an empty array');
  });
});
