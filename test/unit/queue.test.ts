/**
 * The audit queue (src/core/auditQueue.ts) on hand-built runs: which steps are items, their order
 * (first-error mismatches first, then strength at τ, then run, sample, step), the filters, what
 * counts as labelled per annotator, and where the queue goes next and resumes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuditLabels, replayAudit, stampEvent } from '../../src/core/audit.js';
import {
  buildQueue,
  isLabelled,
  itemKey,
  nextIndex,
  nothingJudged,
  type QueueItem,
  queueChoices,
  queueProgress,
  queueRun,
  resumeIndex,
} from '../../src/core/auditQueue.js';
import { handRun } from '../fixtures/queueRuns.js';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/**
 * run-b s0: Self-PRM sees no error, the PRM drops to 0.2 at step 1 (its first error): a first-error
 * mismatch at step 1, strength |0.5 − (−0.3)| = 0.8.
 * run-a s0: both name step 1; at step 2 Self-PRM is back at 0.9 and the PRM at 0.1: a score
 * disagreement (no mismatch), strength |0.4 − (−0.4)| = 0.8.
 * run-a s1: Self-PRM names step 0 (score 0.3), the PRM none (0.6 everywhere): mismatch at step 0,
 * strength |−0.2 − 0.1| = 0.3; step 1: self 0.4 vs PRM 0.6, strength 0.3, a score disagreement too.
 * run-c s0: the same mismatch as run-b's, strength 0.8: the tie goes to run id.
 */
function runs() {
  return [
    {
      run: handRun({
        id: 'run-b',
        samples: [{ self: { scores: [1, 1, 1], firstError: -1 }, prms: { prm: [0.9, 0.2, 0.8] } }],
      }),
      subset: 'algebra',
    },
    {
      run: handRun({
        id: 'run-a',
        samples: [
          { self: { scores: [1, 0.2, 0.9], firstError: 1 }, prms: { prm: [1, 0.1, 0.1] } },
          { self: { scores: [0.3, 0.4, 1], firstError: 0 }, prms: { prm: [0.6, 0.6, 0.6] } },
        ],
      }),
      subset: 'geometry',
    },
    {
      run: handRun({
        id: 'run-c',
        samples: [{ self: { scores: [1, 1, 1], firstError: -1 }, prms: { prm: [0.9, 0.2, 0.8] } }],
      }),
      subset: 'algebra',
    },
  ];
}

const keys = (items: readonly QueueItem[]) => items.map((item) => item.key);

describe('the queue', () => {
  test('orders first-error mismatches first, then by strength at τ, then run, sample, step', () => {
    const items = buildQueue(runs());
    assert.deepEqual(keys(items), ['run-b#0#1', 'run-c#0#1', 'run-a#1#0', 'run-a#0#2', 'run-a#1#1']);
    assert.ok(close(items[0]!.strength, 0.8));
    assert.ok(close(items[2]!.strength, 0.3));
    assert.equal(items[2]!.firstErrorMismatch, true);
    assert.equal(items[3]!.firstErrorMismatch, false);
  });

  test("problem by problem: each run's items together, runs in the order of their strongest item", () => {
    // run-d's one score disagreement (strength |0.25 − (−0.25)| = 0.5) falls between run-a's.
    const withD = [
      ...runs(),
      {
        run: handRun({
          id: 'run-d',
          samples: [{ self: { scores: [1, 0.2, 0.75], firstError: 1 }, prms: { prm: [1, 0.1, 0.25] } }],
        }),
      },
    ];
    assert.deepEqual(keys(buildQueue(withD)), [
      'run-b#0#1',
      'run-c#0#1',
      'run-a#1#0',
      'run-a#0#2',
      'run-d#0#2',
      'run-a#1#1',
    ]);
    assert.deepEqual(keys(buildQueue(withD, { order: 'problem' })), [
      'run-b#0#1',
      'run-c#0#1',
      'run-a#1#0',
      'run-a#0#2',
      'run-a#1#1',
      'run-d#0#2',
    ]);
    assert.deepEqual(keys(buildQueue(withD, { order: 'strength' })), keys(buildQueue(withD)));
    // run-d analyzes run-a's problem again (the workspace's runs): its item joins run-a's.
    const again = withD.map((input) =>
      input.run.id === 'run-d' ? { run: { ...input.run, problem: withD[1]!.run.problem } } : input,
    );
    assert.deepEqual(keys(buildQueue(again, { order: 'problem' })).slice(2), [
      'run-a#1#0',
      'run-a#0#2',
      'run-d#0#2',
      'run-a#1#1',
    ]);
  });

  test('an empty queue says why when nothing was judged, rather than that the judges agree', () => {
    assert.equal(
      nothingJudged(runs(), 'mini'),
      undefined,
      'judged samples: an empty queue would mean agreement',
    );
    const failedRun = handRun({
      id: 'run-f',
      samples: [0, 1].map(() => ({
        error: 'HTTP 400',
        self: { scores: [] as number[], firstError: -1 },
        prms: {},
      })),
    });
    assert.equal(
      nothingJudged([{ run: failedRun }], 'math-aime'),
      'Nothing to label in math-aime: every sample failed (2 of 2), so none was judged. The queue lists the steps where Self-PRM and a PRM disagree.',
    );
    const selfOnly = handRun({
      id: 'run-s',
      samples: [
        { self: { scores: [1, 0.2], firstError: 1 }, prms: { prm: { error: 'HTTP 503' } } },
        { error: 'HTTP 400', self: { scores: [], firstError: -1 }, prms: {} },
      ],
    });
    assert.equal(
      nothingJudged([{ run: selfOnly }], 'mini'),
      'Nothing to label in mini: no sample was judged by both Self-PRM and a PRM (1 of 2 samples failed). The queue lists the steps where Self-PRM and a PRM disagree.',
    );
  });

  test('the order does not depend on the order of the runs', () => {
    assert.deepEqual(keys(buildQueue(runs().reverse())), keys(buildQueue(runs())));
  });

  test("strength is measured from each judge's own τ", () => {
    // The PRM's τ is 0.8: its 0.7 at step 0 is below (a disagreement with Self-PRM's 0.9), strength
    // |(0.9 − 0.5) − (0.7 − 0.8)| = 0.5, where |0.9 − 0.7| would say 0.2.
    const run = handRun({
      id: 'tau',
      prmThresholds: { prm: 0.8 },
      samples: [{ self: { scores: [0.9, 0.9], firstError: -1 }, prms: { prm: [0.7, 0.95] } }],
    });
    const [item] = buildQueue([{ run }]);
    assert.equal(item?.key, 'tau#0#0');
    assert.ok(close(item!.strength, 0.5), String(item?.strength));
  });

  test('one item per step when several PRMs disagree there, showing the strongest', () => {
    const run = handRun({
      id: 'two',
      samples: [
        {
          self: { scores: [1, 1], firstError: -1 },
          prms: { weak: [0.9, 0.45], strong: [0.9, 0.05] },
        },
      ],
    });
    const items = buildQueue([{ run }]);
    assert.equal(items.length, 1);
    assert.equal(items[0]!.prm, 'strong');
    assert.deepEqual(items[0]!.prms, ['strong', 'weak']);
    // Filtered to one PRM: that PRM's own strength.
    const weak = buildQueue([{ run }], { prm: 'weak' });
    assert.equal(weak[0]!.prm, 'weak');
    assert.ok(close(weak[0]!.strength, 0.55));
  });

  test('filters by PRM and by subset', () => {
    assert.deepEqual(keys(buildQueue(runs(), { subsets: ['geometry'] })), [
      'run-a#1#0',
      'run-a#0#2',
      'run-a#1#1',
    ]);
    assert.deepEqual(keys(buildQueue(runs(), { subsets: [] })).length, 5);
    assert.deepEqual(buildQueue(runs(), { prm: 'other' }), []);
    assert.deepEqual(queueChoices(runs()), { prms: ['prm'], subsets: ['algebra', 'geometry'] });
  });

  test('samples and judges without a verdict give no items', () => {
    const run = handRun({
      id: 'failed',
      samples: [
        { self: { error: 'HTTP 500' }, prms: { prm: [0.1, 0.1] } },
        { self: { scores: [1, 1], firstError: -1 }, prms: { prm: { error: 'timeout' } } },
        { self: { scores: [1, 1], firstError: -1 }, prms: { prm: [0.1, 0.1] }, error: 'sampling failed' },
        { self: { scores: [1, 1], firstError: -1 }, prms: { prm: [0.9, 0.9] } },
      ],
    });
    assert.deepEqual(buildQueue([{ run }]), []);
  });

  test('the page gets only the samples with items, with each verdict read at τ', () => {
    const [input] = runs().slice(1);
    const items = buildQueue(runs());
    const shown = queueRun(input!, items);
    assert.deepEqual(
      shown.samples.map((sample) => sample.index),
      [0, 1],
    );
    assert.deepEqual(shown.samples[1]!.verdicts.prm, {
      scores: [0.6, 0.6, 0.6],
      firstError: -1,
      threshold: 0.5,
    });
    assert.equal(shown.samples[1]!.verdicts.self!.firstError, 0);
    assert.equal(shown.subset, 'geometry');
    const onlyB = queueRun(
      runs()[0]!,
      items.filter((item) => item.run !== 'run-b'),
    );
    assert.deepEqual(onlyB.samples, []);
  });
});

function labels(...changes: Parameters<typeof stampEvent>[0][]): AuditLabels {
  return replayAudit(changes.map((change) => stampEvent(change)));
}

describe('labelled and progress', () => {
  test("a step's rating or its sample's first error labels an item", () => {
    const item = { sample: 1, step: 2 };
    assert.equal(isLabelled(undefined, item), false);
    assert.equal(isLabelled(labels({ type: 'stepRating', sample: 1, step: 1, rating: 1 }), item), false);
    assert.equal(isLabelled(labels({ type: 'stepRating', sample: 1, step: 2, rating: 0 }), item), true);
    assert.equal(isLabelled(labels({ type: 'firstError', sample: 1, step: 0 }), item), true);
    assert.equal(isLabelled(labels({ type: 'firstError', sample: 0, step: 0 }), item), false);
    // A rating cleared again (undo) is no label.
    assert.equal(
      isLabelled(
        labels(
          { type: 'stepRating', sample: 1, step: 2, rating: -1 },
          { type: 'stepRating', sample: 1, step: 2, rating: null },
        ),
        item,
      ),
      false,
    );
    // A note or a who-was-right alone is no rating.
    assert.equal(isLabelled(labels({ type: 'note', sample: 1, step: 2, text: 'hm' }), item), false);
  });

  test('progress counts labelled items per annotator, including one who has none yet', () => {
    const items = buildQueue(runs());
    const byRun = new Map([
      [
        'run-a',
        new Map([
          ['ann', labels({ type: 'firstError', sample: 1, step: 0 })],
          ['bob', labels({ type: 'stepRating', sample: 0, step: 2, rating: -1 })],
        ]),
      ],
      ['run-b', new Map([['bob', labels({ type: 'stepRating', sample: 0, step: 1, rating: 1 })]])],
    ]);
    assert.deepEqual(queueProgress(items, byRun, ['cleo']), {
      total: 5,
      annotators: [
        { annotator: 'ann', labelled: 2 },
        { annotator: 'bob', labelled: 2 },
        { annotator: 'cleo', labelled: 0 },
      ],
    });
  });
});

describe('moving through the queue', () => {
  const items = buildQueue(runs());
  // run-b#0#1, run-c#0#1, run-a#1#0, run-a#0#2, run-a#1#1
  const none = () => undefined;

  test('next goes in order and stops at the end', () => {
    assert.equal(nextIndex(items, -1, { unlabelledOnly: false, labelsOf: none }), 0);
    assert.equal(nextIndex(items, 3, { unlabelledOnly: false, labelsOf: none }), 4);
    assert.equal(nextIndex(items, 4, { unlabelledOnly: false, labelsOf: none }), undefined);
  });

  test('unlabelled only skips labelled items and wraps round to ones skipped before', () => {
    const a = labels({ type: 'stepRating', sample: 0, step: 2, rating: 1 });
    const labelsOf = (run: string) => (run === 'run-a' ? a : undefined);
    assert.equal(nextIndex(items, 2, { unlabelledOnly: true, labelsOf }), 4);
    // From the last item: back to the first one not labelled.
    assert.equal(nextIndex(items, 4, { unlabelledOnly: true, labelsOf }), 0);
    const all = () =>
      labels({ type: 'firstError', sample: 0, step: -1 }, { type: 'firstError', sample: 1, step: 1 });
    assert.equal(nextIndex(items, 1, { unlabelledOnly: true, labelsOf: all }), undefined);
  });

  test('after e, the next sample: the rest of this sample is skipped', () => {
    // From run-a#1#0 the next item of another sample is run-a#0#2; from run-a#0#2, none is left
    // after it but run-a#1#1 (another sample), which is next.
    assert.equal(nextIndex(items, 2, { unlabelledOnly: false, labelsOf: none, otherSample: true }), 3);
    const same = buildQueue([
      {
        run: handRun({
          id: 'r',
          samples: [
            { self: { scores: [1, 1, 1], firstError: -1 }, prms: { prm: [0.1, 0.1, 0.1] } },
            { self: { scores: [1], firstError: -1 }, prms: { prm: [0.4] } },
          ],
        }),
      },
    ]);
    // r#0#0 (mismatch, 0.9), r#1#0 (mismatch, 0.6), r#0#1, r#0#2 (0.9 each, no mismatch).
    assert.deepEqual(keys(same), ['r#0#0', 'r#1#0', 'r#0#1', 'r#0#2']);
    assert.equal(nextIndex(same, 2, { unlabelledOnly: false, labelsOf: none, otherSample: true }), undefined);
    assert.equal(nextIndex(same, 0, { unlabelledOnly: false, labelsOf: none, otherSample: true }), 1);
  });

  test('resumes at the saved item, or after it once it is labelled, or at the first one wanted', () => {
    const saved = itemKey('run-a', 1, 0);
    assert.equal(resumeIndex(items, saved, { unlabelledOnly: true, labelsOf: none }), 2);
    const a = labels({ type: 'firstError', sample: 1, step: 0 });
    const labelsOf = (run: string) => (run === 'run-a' ? a : undefined);
    // run-a#1#0 and run-a#1#1 are settled by sample 1's first error.
    assert.equal(resumeIndex(items, saved, { unlabelledOnly: true, labelsOf }), 3);
    assert.equal(resumeIndex(items, saved, { unlabelledOnly: false, labelsOf }), 2);
    assert.equal(resumeIndex(items, 'gone#0#0', { unlabelledOnly: true, labelsOf }), 0);
    assert.equal(resumeIndex(items, undefined, { unlabelledOnly: false, labelsOf }), 0);
    assert.equal(resumeIndex([], saved, { unlabelledOnly: false, labelsOf }), undefined);
  });
});
