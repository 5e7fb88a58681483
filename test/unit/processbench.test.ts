/**
 * ProcessBench's published scoring rules, one behaviour per test, against literal expectations
 * worked out by hand from QwenLM/ProcessBench's run_eval.py.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  averageF1,
  bestThreshold,
  critiquePrediction,
  critiquePrompt,
  fillTemplate,
  firstStepBelow,
  lastFlatBoxed,
  processBenchJudgement,
  pythonInt,
  scoreAt,
  subsetOf,
  subsetScore,
  TemplateError,
  taggedResponse,
  templateProblem,
} from '../../src/core/processbench.js';

describe('the critic prompt', () => {
  test('steps become indexed paragraph blocks separated by a blank line', () => {
    assert.equal(
      taggedResponse(['First, 2 + 2 = 4.', 'So the answer is 4.']),
      '<paragraph_0>\nFirst, 2 + 2 = 4.\n</paragraph_0>\n\n<paragraph_1>\nSo the answer is 4.\n</paragraph_1>',
    );
  });

  test('a template in Python str.format style: escaped braces, both placeholders, stripped', () => {
    const template = '\n[Problem]\n{problem}\n\n{tagged_response}\n\nPut the index in \\boxed{{}}.\n\n';
    assert.equal(
      critiquePrompt(template, 'Is {x} 1?', ['x = 1']),
      '[Problem]\nIs {x} 1?\n\n<paragraph_0>\nx = 1\n</paragraph_0>\n\nPut the index in \\boxed{}.',
    );
  });

  test('what Python would reject is an error naming the place, never a prompt with a hole', () => {
    const values = { problem: 'p', tagged_response: 't' };
    assert.throws(() => fillTemplate('A {problme} here', values), {
      name: 'Error',
      message:
        /unknown placeholder "\{problme\}" at character 3: the template may use \{problem\}, \{tagged_response\}/,
    });
    assert.throws(() => fillTemplate('\\boxed{}', values), /unknown placeholder "\{\}" at character 7/);
    assert.throws(() => fillTemplate('a } b', values), /a single "\}" at character 3/);
    assert.throws(() => fillTemplate('a { b', values), /a "\{" at character 3 is never closed/);
    assert.throws(() => fillTemplate('{problem:>4}', values), TemplateError);
  });
});

describe('a critique’s prediction', () => {
  test('the last \\boxed{…} up to its first closing brace, stripped (as the published regex reads it)', () => {
    assert.equal(lastFlatBoxed('first \\boxed{1} then \\boxed{ 3 }'), '3');
    assert.equal(lastFlatBoxed('no box here'), null);
    assert.equal(lastFlatBoxed('\\boxed{\\frac{1}{2}}'), '\\frac{1');
    assert.equal(lastFlatBoxed('\\boxed{2} and \\boxed{\\text{x}}'), '\\text{x');
    assert.equal(lastFlatBoxed('\\boxed{}'), '');
  });

  test('an integer the Python way, else no prediction', () => {
    // Python's int() reads any script's decimal digits: int('٣') == 3, int('１２') == 12,
    // int('𝟑') == 3, int('1٣') == 13, int(' -٤_٢ ') == -42.
    assert.deepEqual(['٣', '１２', '𝟑', '1٣', ' \u2003-٤_٢ ', '٣.٠', '²'].map(pythonInt), [
      3,
      12,
      3,
      13,
      -42,
      null,
      null,
    ]);
    assert.deepEqual(['3', ' -1 ', '+2', '007', '1_0', '3.0', 'three', '', '1__0'].map(pythonInt), [
      3,
      -1,
      2,
      7,
      10,
      null,
      null,
      null,
      null,
    ]);
  });

  test('greedy: one critique decides; no box or no integer is no prediction', () => {
    assert.equal(critiquePrediction(['The error is in \\boxed{2}.']), 2);
    assert.equal(critiquePrediction(['All correct: \\boxed{-1}']), -1);
    assert.equal(critiquePrediction(['\\boxed{paragraph 2}']), null);
    assert.equal(critiquePrediction(['I cannot tell.']), null);
    assert.equal(critiquePrediction([null]), null);
  });

  test('voting: unextractable critiques dropped, the most common wins, a tie goes to the first seen', () => {
    assert.equal(critiquePrediction(['\\boxed{1}', '\\boxed{2}', '\\boxed{2}', 'none']), 2);
    assert.equal(critiquePrediction(['\\boxed{3}', '\\boxed{1}', '\\boxed{1}', '\\boxed{3}']), 3);
    assert.equal(critiquePrediction([null, 'x', '\\boxed{1}', '\\boxed{3}']), 1);
    // The winning string, not its integer, is what is counted: "1" and " 1 " are one string once stripped.
    assert.equal(critiquePrediction(['\\boxed{ 1 }', '\\boxed{0}', '\\boxed{1}']), 1);
    // A non-integer winner is no prediction, even where an integer came second.
    assert.equal(critiquePrediction(['\\boxed{a}', '\\boxed{a}', '\\boxed{2}']), null);
  });
});

describe('score judges read at τ', () => {
  test('the first step below τ; a score equal to τ is not wrong; an unscored step first is unknown', () => {
    assert.equal(firstStepBelow([0.9, 0.4, 0.1], 0.5), 1);
    assert.equal(firstStepBelow([0.9, 0.5, 0.5], 0.5), -1);
    assert.equal(firstStepBelow([0.9, null, 0.1], 0.5), null);
    assert.equal(firstStepBelow([0.2, null], 0.5), 0);
    assert.equal(firstStepBelow([], 0.5), -1);
  });

  test('the τ that maximises F1, the smallest on a tie, and the score at it', () => {
    const rows = [
      { label: 1, stepScores: [0.9, 0.3] },
      { label: -1, stepScores: [0.8, 0.6] },
      { label: 0, stepScores: [0.55, 0.9] },
    ];
    // τ = 0.6: row 1 → 1 (hit), row 2 → −1 (hit), row 3 → 0 (hit): F1 1.
    assert.deepEqual(bestThreshold(rows), {
      threshold: 0.6,
      score: { n: 3, errorAccuracy: 1, correctAccuracy: 1, f1: 1, failed: 0, noPrediction: 0 },
    });
    // At 0.5 row 3 is missed (its 0.55 is not below τ).
    assert.deepEqual(scoreAt(rows, 0.5), {
      n: 3,
      errorAccuracy: 0.5,
      correctAccuracy: 1,
      f1: 2 / 3,
      failed: 0,
      noPrediction: 0,
    });
    assert.equal(bestThreshold([]), null);
  });
});

describe('subset figures', () => {
  test('misses of every kind stay in the denominator', () => {
    const score = subsetScore([
      { label: 2, prediction: 2 },
      { label: 2, prediction: null },
      { label: 1, prediction: 7 },
      { label: 0, prediction: 0, failed: true },
      { label: -1, prediction: -1 },
      { label: -1, prediction: 3 },
    ]);
    // The failed row is not counted again as "no prediction"; the null one is.
    assert.deepEqual(score, {
      n: 6,
      errorAccuracy: 0.25,
      correctAccuracy: 0.5,
      f1: 1 / 3,
      failed: 1,
      noPrediction: 1,
    });
  });

  test('a subset without rows of one kind has no F1; the average needs every subset’s', () => {
    const onlyErrors = subsetScore([{ label: 0, prediction: 0 }]);
    assert.deepEqual(onlyErrors, {
      n: 1,
      errorAccuracy: 1,
      correctAccuracy: null,
      f1: null,
      failed: 0,
      noPrediction: 0,
    });
    const a = subsetScore([
      { label: 0, prediction: 0 },
      { label: -1, prediction: -1 },
    ]);
    const b = subsetScore([
      { label: 0, prediction: 1 },
      { label: -1, prediction: -1 },
    ]);
    assert.equal(averageF1([a, b]), 0.5);
    assert.equal(averageF1([a, onlyErrors]), null);
    assert.equal(averageF1([]), null);
  });

  test('a row’s subset: its field, else the file’s stem, else the id’s prefix', () => {
    assert.equal(subsetOf({ subset: 'olympiadbench', id: 'math-3' }, 'data/gsm8k.json'), 'olympiadbench');
    assert.equal(subsetOf({ id: 'math-3' }, '/data/ProcessBench/omnimath.json'), 'omnimath');
    assert.equal(subsetOf({ id: 'math-3' }, 'C:\\data\\gsm8k.JSONL'), 'gsm8k');
    assert.equal(subsetOf({ id: 'olympiadbench-12' }, undefined), 'olympiadbench');
    assert.equal(subsetOf({ id: '12' }, undefined), 'all');
  });
});

describe('a template checked before any request', () => {
  test('usable: both placeholders, braces escaped', () => {
    assert.equal(templateProblem('P: {problem}\nS: {tagged_response}\nAnswer in \\boxed{{}}.'), null);
  });

  test('unusable: named with the reason', () => {
    assert.equal(
      templateProblem('P: {problem}\nAnswer in \\boxed{{}}.'),
      'the template never uses {tagged_response}: the critic would not see the row',
    );
    assert.equal(
      templateProblem('{{problem}} {{tagged_response}}'),
      'the template never uses {problem} or {tagged_response}: the critic would not see the row',
    );
    assert.match(templateProblem('{problem} {tagged_response} \\boxed{}')!, /unknown placeholder "\{\}"/);
  });
});

describe('one row’s judgement from its critiques', () => {
  test('the prediction by the rules; the panel’s scores from the in-range critiques', () => {
    const judgement = processBenchJudgement(
      ['\\boxed{1}', '\\boxed{-1}', '\\boxed{1}', 'none', '\\boxed{9}'],
      3,
    );
    assert.deepEqual(judgement, {
      verdicts: [1, -1, 1, null, null],
      boxed: ['1', '-1', '1', null, '9'],
      prediction: 1,
      // Of the three in-range critiques: all leave step 0, one leaves steps 1 and 2 unflagged.
      stepScores: [1, 1 / 3, 1 / 3],
      firstError: 1,
    });
  });

  test('a prediction no step has is kept, but the panel gets no verdict', () => {
    assert.deepEqual(processBenchJudgement(['\\boxed{5}', '\\boxed{5}', '\\boxed{0}'], 3), {
      verdicts: [null, null, 0],
      boxed: ['5', '5', '0'],
      prediction: 5,
      stepScores: [null, null, null],
      firstError: null,
      error: 'the prediction 5 names no step (the solution has 3, indexed from 0)',
    });
    assert.equal(processBenchJudgement(['\\boxed{-2}'], 3).prediction, -2);
    assert.equal(processBenchJudgement(['\\boxed{-2}'], 3).firstError, null);
  });

  test('no integer won: no prediction, said so', () => {
    const judgement = processBenchJudgement(['\\boxed{a}', 'nothing'], 2);
    assert.equal(judgement.prediction, null);
    assert.equal(judgement.error, 'no prediction: no integer won among the last \\boxed{} of 2 critique(s)');
  });
});
