/**
 * How many steps a short-context PRM is sent: tokens estimated at 3 characters each, 32 for the chat
 * template, 2 per step's separator; a step that would pass the budget is left out with all after it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateTokens, fitSteps } from '../../src/llm/budget.js';

test('tokens are estimated at 3 characters each, rounded up', () => {
  assert.deepEqual(['', 'a', 'abc', 'abcd'].map(estimateTokens), [0, 1, 1, 2]);
});

test('the steps that fit: a budget exactly used up still fits, one token less does not', () => {
  const problem = 'abc'; // 1 token, + 32 of template
  const steps = ['abcdef', 'abcdef']; // 2 + 2 each
  assert.equal(fitSteps(problem, steps, 41), 2);
  assert.equal(fitSteps(problem, steps, 40), 1);
  assert.equal(fitSteps(problem, steps, 37), 1);
  assert.equal(fitSteps(problem, steps, 36), 0);
  assert.equal(fitSteps('abcdef'.repeat(3), steps, 42), 1, 'a longer problem leaves less room');
});

test('a system prompt takes its share of the budget', () => {
  const steps = ['abcdef'];
  assert.equal(fitSteps('abc', steps, 39, 'abcdef'), 1);
  assert.equal(fitSteps('abc', steps, 38, 'abcdef'), 0);
  assert.equal(fitSteps('abc', steps, 37, ''), 1);
});
