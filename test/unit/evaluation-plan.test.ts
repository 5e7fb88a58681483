/** Evaluate Judges' folder names, progress line and closing message (src/host/evaluationPlan.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duration, rowsEtaSeconds } from '../../src/core/progress.js';
import { evaluationName, outcomeMessage } from '../../src/host/evaluationPlan.js';
import { pathInside } from '../../src/io/paths.js';
import { rowsProgressLine } from '../../src/jobs/progressText.js';

test('one file: its stem; several: stems and a hash, the same for any order of selection', () => {
  assert.equal(evaluationName(['/ws/data/gsm8k.jsonl']), 'gsm8k');
  const many = evaluationName(['/ws/math.json', '/ws/gsm8k.json']);
  assert.equal(many, evaluationName(['/ws/gsm8k.json', '/ws/math.json']));
  // The stems and a hash: no part of the paths ("ws_gsm8k.json…") in the name a person reads.
  assert.match(many, /^gsm8k_math-[0-9a-f]{10}$/);
  // A folder named the earlier way (the stems, then a cut of the paths) is found and resumed.
  const earlier = (name: string) => /^gsm8k_math_ws_/.test(name);
  const resumed = evaluationName(['/ws/math.json', '/ws/gsm8k.json'], earlier);
  assert.match(resumed, /^gsm8k_math_ws_/);
  assert.equal(
    evaluationName(['/ws/math.json', '/ws/gsm8k.json'], () => false),
    many,
  );
  assert.notEqual(many, evaluationName(['/other/gsm8k.json', '/ws/math.json']), 'other files, other folder');
  // Whatever the file is called, the name stays one file name inside the evaluations folder.
  for (const name of [
    evaluationName(['/ws/..jsonl']),
    evaluationName(['/ws/a b:c?.json']),
    evaluationName(['/ws/../x.json', '/ws/..json']),
  ]) {
    assert.doesNotThrow(() => pathInside('/ws/.steplens/evaluations', name), name);
  }
});

test('progress: rows done of total, reused, failures when any, and an ETA from the rows judged now', () => {
  assert.equal(
    rowsProgressLine({ done: 0, total: 40, reused: 0, withFailure: 0 }, 0),
    'rows 0/40 · 0 reused',
  );
  assert.equal(
    rowsProgressLine({ done: 12, total: 40, reused: 10, withFailure: 1 }, 20),
    'rows 12/40 · 10 reused · 1 with a failed judge · ETA 4m 40s',
  );
  // Only reused rows so far: no rate to go by.
  assert.equal(rowsEtaSeconds({ done: 10, total: 40, reused: 10 }, 3), undefined);
  assert.equal(duration(3725), '1h 02m');
});

test('the closing message says complete or partial, how to resume, and where skipped rows are listed', () => {
  const base = {
    folder: '.steplens/evaluations/gsm8k',
    rows: 3,
    judged: 3,
    reused: 0,
    skipped: 0,
    withFailure: 0,
  };
  assert.equal(
    outcomeMessage({ ...base, complete: true }),
    'StepLens: evaluated 3 row(s) into .steplens/evaluations/gsm8k (3 judged now, 0 reused); the report is open.',
  );
  const partial = outcomeMessage({
    ...base,
    judged: 1,
    reused: 0,
    skipped: 2,
    withFailure: 1,
    complete: false,
  });
  assert.match(
    partial,
    /cancelled after 1 of 3 row\(s\); the partial report in \.steplens\/evaluations\/gsm8k is open/,
  );
  assert.match(partial, /again to finish: finished rows are reused/);
  assert.match(partial, /1 row\(s\) had a judge fail/);
  assert.match(
    partial,
    /2 row\(s\) skipped \(no steps or no first-error label\): listed in report\.json and the StepLens log/,
  );
});
