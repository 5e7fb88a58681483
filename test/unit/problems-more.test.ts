import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import { type Problem, ProblemSchema, parseProblemFile, problemRows } from '../../src/core/problems.js';

function refusal(file: string, content: string): { message: string; location: unknown } {
  try {
    parseProblemFile(file, content);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${error}`);
    return { message: error.message, location: error.location };
  }
  assert.fail(`${file} parsed without error`);
}

const jsonl = (...rows: unknown[]) => rows.map((row) => JSON.stringify(row)).join('\n');

/** Whole problems, every field, as a user's file gives them (checked by hand). */
const ROWS: [string, string, string, Problem[]][] = [
  [
    'a Markdown file without an answer has no reference field at all',
    'q.md',
    'What is 6 times 7?\n',
    [{ id: 'q', text: 'What is 6 times 7?', format: 'text', source: { file: 'q.md' } }],
  ],
  [
    'a .json file holding one object is one problem, named after the file, without a row number',
    'single.json',
    '{"problem": "Solve $x + 1 = 4$.", "answer": 3}',
    [
      {
        id: 'single',
        text: 'Solve $x + 1 = 4$.',
        reference: '3',
        format: 'math',
        source: { file: 'single.json' },
      },
    ],
  ],
  [
    'a ProcessBench row without label, verdict or generator has none of those fields',
    'pb.jsonl',
    jsonl({ id: 'r1', problem: 'Q', steps: ['a', 'b'] }),
    [
      {
        id: 'r1',
        text: 'Q',
        steps: ['a', 'b'],
        format: 'processbench',
        source: { file: 'pb.jsonl', row: 1 },
      },
    ],
  ],
  [
    'a MATH row with neither answer nor solution has no reference',
    'm.jsonl',
    jsonl({ problem: 'Q' }),
    [{ id: 'm:1', text: 'Q', format: 'math', source: { file: 'm.jsonl', row: 1 } }],
  ],
  [
    'a MATH row whose solution boxes nothing has no reference',
    'm.jsonl',
    jsonl({ problem: 'Q', solution: 'No box here.' }),
    [{ id: 'm:1', text: 'Q', format: 'math', source: { file: 'm.jsonl', row: 1 } }],
  ],
  [
    'a GSM8K row without an answer has no reference',
    'g.jsonl',
    jsonl({ question: 'How many eggs?' }),
    [{ id: 'g:1', text: 'How many eggs?', format: 'gsm8k', source: { file: 'g.jsonl', row: 1 } }],
  ],
  [
    'a GSM8K answer that is a bare number (no ####) is taken whole, separators dropped',
    'g.jsonl',
    jsonl({ question: 'Q1', answer: '1,234' }, { question: 'Q2', answer: 18 }),
    [
      { id: 'g:1', text: 'Q1', reference: '1234', format: 'gsm8k', source: { file: 'g.jsonl', row: 1 } },
      { id: 'g:2', text: 'Q2', reference: '18', format: 'gsm8k', source: { file: 'g.jsonl', row: 2 } },
    ],
  ],
  [
    'a PRM800K row not yet labelled has the problem and reference but no steps',
    'p.jsonl',
    jsonl({ question: { problem: 'Q', ground_truth_answer: null } }),
    [{ id: 'p:1', text: 'Q', format: 'prm800k', source: { file: 'p.jsonl', row: 1 } }],
  ],
  [
    'whitespace-only lines between JSONL rows are skipped, and rows keep their line numbers',
    'w.jsonl',
    `${jsonl({ problem: 'A' })}\n   \n\t\n${jsonl({ problem: 'B' })}`,
    [
      { id: 'w:1', text: 'A', format: 'math', source: { file: 'w.jsonl', row: 1 } },
      { id: 'w:4', text: 'B', format: 'math', source: { file: 'w.jsonl', row: 4 } },
    ],
  ],
];

describe('whole problems, every field', () => {
  for (const [name, file, content, expected] of ROWS) {
    test(name, () => {
      const problems = parseProblemFile(file, content);
      assert.deepEqual(problems, expected);
      for (const problem of problems) assert.deepEqual(ProblemSchema.parse(problem), problem);
    });
  }
});

describe('ids from the fields exports use', () => {
  const ID_ROWS: [Record<string, unknown>, string][] = [
    [{ unique_id: 'test/geometry/7.json', problem: 'Q' }, 'test/geometry/7.json'],
    [{ problem_id: 'p-12', problem: 'Q' }, 'p-12'],
    [{ idx: 4, problem: 'Q' }, '4'],
    [{ ID: 'AIME-2024-5', Problem: 'Q' }, 'AIME-2024-5'],
    [{ id: null, unique_id: 'u-1', problem: 'Q' }, 'u-1'],
    [{ id: '', problem: 'Q' }, 'ids:1'],
    [{ problem: 'Q' }, 'ids:1'],
  ];
  for (const [row, id] of ID_ROWS) {
    test(`${JSON.stringify(row)} → ${id}`, () => {
      assert.equal(parseProblemFile('ids.jsonl', JSON.stringify(row))[0]?.id, id);
    });
  }

  test('when a row spells a field twice, the lower-case spelling wins wherever it stands', () => {
    const first = parseProblemFile('c.jsonl', '{"problem": "lower", "Problem": "upper"}')[0];
    const last = parseProblemFile('c.jsonl', '{"Problem": "upper", "problem": "lower"}')[0];
    assert.equal(first?.text, 'lower');
    assert.equal(last?.text, 'lower');
  });
});

describe('PRM800K: which completion becomes the step', () => {
  const step = (fields: Record<string, unknown>) => ({
    completions: [
      { text: 'first', rating: 1 },
      { text: 'rejected', rating: -1 },
    ],
    human_completion: null,
    chosen_completion: null,
    ...fields,
  });
  const CHOICES: [string, Record<string, unknown>, string[], (number | null)[], number][] = [
    ['the labeller picked the first completion (index 0)', { chosen_completion: 0 }, ['first'], [1], -1],
    ['the labeller picked the second completion', { chosen_completion: 1 }, ['rejected'], [-1], 0],
    [
      'no pick, a human rewrite: the rewrite, unrated',
      { human_completion: { text: 'rewrite' } },
      ['rewrite'],
      [null],
      -1,
    ],
    ['no pick, no rewrite: the rejected completion ended the labelling', {}, ['rejected'], [-1], 0],
    [
      'no pick and nothing rejected: the first completion',
      { completions: [{ text: 'only', rating: 0 }], chosen_completion: undefined },
      ['only'],
      [0],
      -1,
    ],
    ['no completions at all: no step', { completions: null }, [], [], -1],
  ];
  for (const [name, fields, steps, ratings, firstError] of CHOICES) {
    test(name, () => {
      const row = { question: { problem: 'Q', ground_truth_answer: '1' }, label: { steps: [step(fields)] } };
      const [problem] = parseProblemFile('prm.jsonl', JSON.stringify(row));
      if (steps.length === 0) {
        assert.deepEqual(problem, {
          id: 'prm:1',
          text: 'Q',
          reference: '1',
          format: 'prm800k',
          source: { file: 'prm.jsonl', row: 1 },
        });
      } else {
        assert.deepEqual(
          { steps: problem?.steps, ratings: problem?.stepRatings, first: problem?.humanFirstError },
          { steps, ratings, first: firstError },
        );
      }
    });
  }
});

describe('text problems: front matter and answer lines', () => {
  const TEXT: [string, string, { id: string; text: string; reference?: string }][] = [
    [
      'dashes followed by spaces still open front matter',
      '--- \nanswer: 4\n---  \nQ',
      { id: 't', text: 'Q', reference: '4' },
    ],
    ['a key with spaces around its colon', '---\nanswer : 4\n---\nQ', { id: 't', text: 'Q', reference: '4' }],
    ['a key with no space after its colon', '---\nanswer:4\n---\nQ', { id: 't', text: 'Q', reference: '4' }],
    [
      'the answer key before other keys: the other keys do not replace it',
      '---\nanswer: 4\nid: custom\ntopic: algebra\n---\nQ',
      { id: 'custom', text: 'Q', reference: '4' },
    ],
    [
      'an empty answer key leaves the Answer line in the body to give the reference',
      '---\nanswer:\n---\nQ\nAnswer: 5',
      { id: 't', text: 'Q', reference: '5' },
    ],
    ['a hyphenated key is not an id', '---\nsource-id: abc\n---\nQ', { id: 't', text: 'Q' }],
    [
      'quotes are dropped only when they wrap the whole value',
      "---\nanswer: 'A' (the first choice)\n---\nQ",
      { id: 't', text: 'Q', reference: "'A' (the first choice)" },
    ],
    [
      'two horizontal rules in the body are not front matter',
      'Part one.\n\n---\n\nPart two.\n\n---\n\nAnswer: 3',
      { id: 't', text: 'Part one.\n\n---\n\nPart two.\n\n---', reference: '3' },
    ],
    ['dollars around the whole answer come off', 'Q\nAnswer: $12$', { id: 't', text: 'Q', reference: '12' }],
    ['spaces inside the dollars come off too', 'Q\nAnswer: $ 12 $', { id: 't', text: 'Q', reference: '12' }],
    [
      'dollars around part of the answer stay',
      'Q\nAnswer: $4$ cm',
      { id: 't', text: 'Q', reference: '$4$ cm' },
    ],
    [
      'an equation with inline math stays whole',
      'Q\nAnswer: x = $4$',
      { id: 't', text: 'Q', reference: 'x = $4$' },
    ],
    [
      'Final Answer and Reference answer lines',
      'Q\nFinal  Answer: 7',
      { id: 't', text: 'Q', reference: '7' },
    ],
    ['a reference line with a tab', 'Q\nReference\tanswer: 8', { id: 't', text: 'Q', reference: '8' }],
    ['bold markers around the label', 'Q\n**Final answer**: 9', { id: 't', text: 'Q', reference: '9' }],
    [
      '"finalanswer" run together is not an answer line',
      'Q\nfinalanswer: 9',
      { id: 't', text: 'Q\nfinalanswer: 9' },
    ],
  ];
  for (const [name, content, expected] of TEXT) {
    test(name, () => {
      const [problem] = parseProblemFile('t.md', content);
      assert.deepEqual(
        {
          id: problem!.id,
          text: problem!.text,
          ...(problem!.reference !== undefined ? { reference: problem!.reference } : {}),
        },
        expected,
      );
    });
  }
});

describe('bad rows are refused with file, line or row, and field', () => {
  const BAD: [string, string, string, unknown][] = [
    ['p.jsonl', '{"problem": "", "answer": "1"}', 'p.jsonl, line 1, field "problem": is empty', undefined],
    ['p.jsonl', '{"problem": "", "steps": []}', 'p.jsonl, line 1, field "problem": is empty', undefined],
    [
      'p.jsonl',
      '{"problem": "Q"}\n{"question": {"problem": ""}}',
      'p.jsonl, line 2, field "question.problem": is empty',
      undefined,
    ],
    ['p.jsonl', '{"question": ""}', 'p.jsonl, line 1, field "question": is empty', undefined],
    ['p.jsonl', 'null', 'p.jsonl, line 1: a row must be a JSON object', { file: 'p.jsonl', line: 1 }],
    [
      'p.jsonl',
      '"What is 2+2?"',
      'p.jsonl, line 1: a row must be a JSON object',
      { file: 'p.jsonl', line: 1 },
    ],
    ['p.jsonl', '42', 'p.jsonl, line 1: a row must be a JSON object', { file: 'p.jsonl', line: 1 }],
    [
      'p.json',
      '[{"problem": "Q"}, {"problem": 3}]',
      'p.json, row 2, field "problem": Invalid input: expected string, received number',
      { file: 'p.json', row: 2, field: 'problem' },
    ],
    [
      'p.json',
      '[{"problem": "Q"}, null]',
      'p.json, row 2: a row must be a JSON object',
      { file: 'p.json', row: 2 },
    ],
  ];
  for (const [file, content, message, location] of BAD) {
    test(`${file}: ${content}`, () => {
      const error = refusal(file, content);
      assert.equal(error.message, message);
      if (location !== undefined) assert.deepEqual(error.location, location);
    });
  }
});

describe('problemRows: a JSONL file one row at a time', () => {
  const row = (id: string) => ({ id, problem: `Problem ${id}`, steps: ['a', 'b'], label: -1 });
  test('the same problems as parseProblemFile, CRLF, blank lines and line numbers included', () => {
    const content = `${JSON.stringify(row('m-1'))}\r\n\r\n  \n${JSON.stringify(row('m-2'))}\n`;
    assert.deepEqual([...problemRows('math.jsonl', content)], parseProblemFile('math.jsonl', content));
    assert.deepEqual(
      [...problemRows('math.jsonl', content)].map((problem) => problem.source.row),
      [1, 4],
    );
  });

  test('a row is parsed only when it is asked for; a bad one is refused when reached, with its line', () => {
    const rows = problemRows('math.jsonl', `${JSON.stringify(row('m-1'))}\n{"id": "m-2", "probl`)[
      Symbol.iterator
    ]();
    assert.equal(rows.next().value?.id, 'm-1');
    assert.throws(
      () => rows.next(),
      (error: Error) =>
        error instanceof InputError && /line 2/.test(JSON.stringify(error.location) + error.message),
    );
  });

  test('a file without a row is refused once read through; other formats are parsed whole', () => {
    assert.throws(() => [...problemRows('empty.jsonl', '\n\n')], /holds no rows/);
    const array = JSON.stringify([row('g-1'), row('g-2')]);
    assert.deepEqual([...problemRows('gsm8k.json', array)], parseProblemFile('gsm8k.json', array));
  });
});

describe('the problem schema', () => {
  test('refuses a problem without text, an unknown format, or a source without its file', () => {
    const good = { id: 'a', text: 'Q', format: 'math', source: { file: 'a.jsonl', row: 1 } };
    assert.equal(ProblemSchema.safeParse(good).success, true);
    assert.equal(ProblemSchema.safeParse({ ...good, text: '' }).success, false);
    assert.equal(ProblemSchema.safeParse({ ...good, format: 'csv' }).success, false);
    assert.equal(ProblemSchema.safeParse({ ...good, source: { row: 1 } }).success, false);
    assert.equal(ProblemSchema.safeParse({ ...good, source: { file: 'a', row: 0 } }).success, false);
  });
});
