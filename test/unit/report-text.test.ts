/**
 * What a person reads: the whole report.md and steps.csv of a small labelled run, every figure
 * derived by hand in the comments — not a snapshot of whatever the code printed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuditChange, replayAudit, stampEvent } from '../../src/core/audit.js';
import { agreementReport, exportFiles, stepsCsv } from '../../src/core/export.js';
import { smallRun } from '../fixtures/smallRun.js';

const at = new Date('2026-11-28T10:00:00Z');
const labelsOf = (...changes: AuditChange[]) => replayAudit(changes.map((change) => stampEvent(change, at)));

// Sample 0 rated +1, 0 (all rated, no −1: human first error −1); sample 1 step 0 rated −1 (first
// error 0); sample 2 first error 0 set explicitly. Three rated steps, three labelled samples.
const labels = labelsOf(
  { type: 'stepRating', sample: 0, step: 0, rating: 1 },
  { type: 'stepRating', sample: 0, step: 1, rating: 0 },
  { type: 'stepRating', sample: 1, step: 0, rating: -1 },
  { type: 'whoWasRight', sample: 1, step: 0, judge: 'qwen-prm', who: 'prm' },
  { type: 'note', sample: 1, step: 0, text: 'multiplication, "wrong"' },
  { type: 'firstError', sample: 2, step: 0 },
);

describe('report.md', () => {
  test('every section and figure of a small labelled run', () => {
    const audit = {
      file: 'run-a.jsonl',
      events: 6,
      skipped: [{ line: 7, reason: 'not JSON (a write cut short?)' }],
    };
    const md = exportFiles([{ run: smallRun(), labels, audit }])['report.md'];
    // Self names first errors −1, −1, 0 against human −1, 0, 0: erroneous 1 of 2, correct 1 of 1,
    // F1 = 2·0.5·1 / 1.5 = 66.7 %. The PRM at τ 0.5 reads [0.9, 0.95] → −1, [0.1, 0.1] → 0,
    // [0.2, 0.2] → 0: all right. Self calls samples 0 and 1 correct; only 0 is (by label and by
    // answer): 50 %. Steps at τ: (T,T)(T,T) (T,F)(T,F) (F,F)(F,F): agreement 4/6, chance
    // 4/6·2/6 + 2/6·4/6 = 4/9, κ = (2/3 − 4/9) / (5/9) = 0.4.
    assert.equal(
      md,
      [
        '# StepLens judge-agreement report',
        '',
        '1 run(s), 3 sample(s), 3 with a human first-error label, 3 rated step(s), from 6 audit event(s).',
        '',
        '**1 audit line(s) could not be read; the labels on them are not counted below.**',
        '',
        '| run | file | line | why |',
        '|---|---|---|---|',
        '| run-a | run-a.jsonl | 7 | not JSON (a write cut short?) |',
        '',
        // Every sample has a human first error: three ProcessBench rows. PRM800K rows start at a rated
        // step 0: samples 0 and 1 (the −1 ends it); sample 2 has only its mark.
        "Exported: processbench.jsonl 3 row(s) (a sample with a human first-error label each), prm800k.jsonl 2 row(s) (a sample's ratings from step 0 on, up to its first unrated or −1 step).",
        '',
        '1 labelled sample(s) have no rating on step 0 and so no prm800k.jsonl row (rate from step 0 to give them one; processbench.jsonl takes their first-error marks): run-a sample 2.',
        '',
        '## ProcessBench F1 against the human labels',
        '',
        '| judge | model | τ | n | no judgement | accuracy on erroneous | accuracy on correct | F1 |',
        '|---|---|---|---|---|---|---|---|',
        '| self | Qwen/QwQ-32B | 0.5 | 3 | 0 | 50.0 % | 100.0 % | 66.7 % |',
        '| qwen-prm | Qwen/Qwen2.5-Math-PRM-7B | 0.5 | 3 | 0 | 100.0 % | 100.0 % | 100.0 % |',
        '',
        'τ per judge: a step scored below τ counts as wrong; a score equal to τ is not. A score judge',
        "(self-stepwise, vllm-pooling, rlhflow) names as first error its first step below τ; a critic's",
        'first error is the paragraph its critiques name, and τ only splits its step scores for κ.',
        '"no judgement": labeled samples the judge failed on or scored no step of (n + no judgement =',
        'the labeled samples); such samples are left out of its F1, of Self-PRM precision and of κ,',
        'never counted as "no error".',
        '',
        '## Step scores against the human labels (calibration)',
        '',
        '| judge | steps | ECE |',
        '|---|---|---|',
        // Steps up to each human first error: sample 0 both right, samples 1 and 2 step 0 wrong.
        // Self: 1, 1 (right), 1 (wrong) in the top bin — share right 2/3 against mean 1 — and 0.25
        // (wrong): ECE = 3/4·1/3 + 1/4·0.25 = 0.3125.
        '| self | 4 | 0.313 |',
        // PRM: 0.9, 0.95 right (mean 0.925), 0.1 wrong, 0.2 wrong: 2/4·0.075 + 1/4·0.1 + 1/4·0.2 = 0.1125
        // (0.112 as printed: the sum lands a hair below 0.1125).
        '| qwen-prm | 4 | 0.112 |',
        '',
        'A step before the human first error is right, the first error wrong, later steps left out; ten',
        'equal-width bins of the step score; ECE = Σ (n_b/N)·|share right_b − mean score_b|.',
        '',
        '## Self-PRM precision on the samples it called correct',
        '',
        '| against | called correct | really correct | precision |',
        '|---|---|---|---|',
        '| human labels | 2 | 1 | 50.0 % |',
        '| reference answer | 2 | 1 | 50.0 % |',
        '',
        "## Self versus PRM, step by step (Cohen's κ)",
        '',
        '| PRM | steps | agreement | κ |',
        '|---|---|---|---|',
        '| qwen-prm | 6 | 66.7 % | 0.400 |',
        '',
        '## Who was right where they disagreed',
        '',
        '| PRM | self | PRM | both | neither |',
        '|---|---|---|---|---|',
        '| qwen-prm | 0 | 1 | 0 | 0 |',
        '',
      ].join('\n'),
    );
  });

  test('nothing labelled: ratios are a dash, never 0 %, and no skipped-lines section', () => {
    const md = exportFiles([{ run: smallRun(), labels: {} }])['report.md'];
    assert.match(
      md,
      /^1 run\(s\), 3 sample\(s\), 0 with a human first-error label, 0 rated step\(s\), from 0 audit event\(s\)\.$/m,
    );
    assert.doesNotMatch(md, /could not be read/);
    assert.match(md, /^\| self \| Qwen\/QwQ-32B \| 0\.5 \| 0 \| 0 \| — \| — \| — \|$/m);
    assert.match(md, /^\| human labels \| 0 \| 0 \| — \|$/m);
    // No label, but the answers still say who was right: self's 2 calls, 1 right.
    assert.match(md, /^\| reference answer \| 2 \| 1 \| 50\.0 % \|$/m);
  });

  test('JSONL files: one row per line, each line ending in a newline', () => {
    const files = exportFiles([{ run: smallRun(), labels }]);
    const lines = files['processbench.jsonl'].split('\n');
    assert.equal(lines.length, 4, 'three rows and the final newline');
    assert.equal(lines[3], '');
    assert.deepEqual(
      lines.slice(0, 3).map((line) => JSON.parse(line).label),
      [-1, 0, 0],
    );
    assert.equal(files['prm800k.jsonl'].split('\n').filter(Boolean).length, 2);
  });
});

describe('agreement figures at the edges', () => {
  test('a score exactly at τ is "right" for κ on both sides; a step either judge left unscored is not compared', () => {
    const run = smallRun();
    run.samples = [
      {
        ...run.samples[0]!,
        steps: ['a', 'b', 'c'],
        judgements: {
          self: { stepScores: [0.5, 0.25, null], firstError: 1 },
          'qwen-prm': { stepScores: [0.5, 0.75, 0.9], firstError: -1 },
        },
      },
    ];
    const [kappa] = agreementReport([{ run, labels: {} }]).selfVersusPrm;
    // Step 0: both exactly 0.5 → (right, right). Step 1: (wrong, right). Step 2: self unscored.
    assert.deepEqual({ n: kappa!.n, agreement: kappa!.agreement }, { n: 2, agreement: 0.5 });
  });

  test('a sample without the PRM, or a PRM that failed on it, adds no κ pairs', () => {
    const run = smallRun();
    delete run.samples[0]!.judgements['qwen-prm'];
    run.samples[1]!.judgements['qwen-prm'] = {
      stepScores: [null, null],
      firstError: null,
      error: 'HTTP 500',
    };
    const [kappa] = agreementReport([{ run, labels: {} }]).selfVersusPrm;
    assert.equal(kappa!.n, 2, 'only sample 2 has both judges');
  });

  test('who-was-right tallies per PRM, every kind', () => {
    const tallies = agreementReport([
      {
        run: smallRun(),
        labels: labelsOf(
          { type: 'whoWasRight', sample: 0, step: 0, judge: 'qwen-prm', who: 'self' },
          { type: 'whoWasRight', sample: 0, step: 1, judge: 'qwen-prm', who: 'both' },
          { type: 'whoWasRight', sample: 1, step: 0, judge: 'qwen-prm', who: 'neither' },
          { type: 'whoWasRight', sample: 1, step: 1, judge: 'qwen-prm', who: 'neither' },
          { type: 'whoWasRight', sample: 2, step: 0, judge: 'not-in-this-run', who: 'prm' },
        ),
      },
    ]).whoWasRight;
    assert.deepEqual(tallies, [{ judge: 'qwen-prm', self: 1, prm: 0, both: 1, neither: 2 }]);
  });
});

describe('steps.csv', () => {
  test('two PRMs: a score column each, who-was-right named per PRM, missing scores empty', () => {
    const run = smallRun();
    run.judges.push({ id: 'sky', kind: 'vllm-pooling', model: 'Skywork' });
    run.samples[0]!.judgements.sky = { stepScores: [0.3, null], firstError: 0 };
    const csv = stepsCsv([
      {
        run,
        labels: labelsOf(
          { type: 'whoWasRight', sample: 0, step: 0, judge: 'qwen-prm', who: 'self' },
          { type: 'whoWasRight', sample: 0, step: 0, judge: 'sky', who: 'prm' },
          { type: 'note', sample: 0, step: 1, text: '+1 looks right' },
        ),
      },
    ]);
    assert.deepEqual(csv.split('\r\n').slice(0, 3), [
      'run,sample,step,text,self_score,qwen-prm_score,sky_score,human_rating,who_was_right,note,annotator',
      'run-a,0,0,6 × 7 = 42,1,0.9,0.3,,qwen-prm:self;sky:prm,,unnamed',
      `run-a,0,1,"'=SUM(A1) so, ""42""",1,0.95,,,,'+1 looks right,unnamed`,
    ]);
    assert.equal(csv.split('\r\n').at(-1), '', 'ends with CR LF');
  });
});
