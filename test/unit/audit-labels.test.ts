/**
 * Human labels are the expensive part: every change, undo and clear must leave exactly the labels a
 * person expects, and never touch a label they did not touch. Labels are the replay of the log, so
 * each test replays the events a panel would append.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AuditChange,
  type AuditLabels,
  inverseOf,
  ratedSteps,
  replayAudit,
  restoreChanges,
  sameAuditEvents,
  stampEvent,
} from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';

const at = new Date('2026-11-28T10:00:00Z');

/** A labelling session: apply changes, undo the last one, read the labels. */
function session(...initial: AuditChange[]) {
  const log = initial.map((change) => stampEvent(change, at));
  const undo: AuditChange[][] = [];
  return {
    get labels(): AuditLabels {
      return replayAudit(log);
    },
    /** What the panel does on a key: remember how to undo, then append. */
    change(change: AuditChange) {
      const labels = replayAudit(log);
      undo.push(
        change.type === 'clear'
          ? restoreChanges(labels, change.sample, change.step)
          : [inverseOf(labels, change)],
      );
      log.push(stampEvent(change, at));
    },
    undo() {
      for (const change of undo.pop() ?? []) log.push(stampEvent(change, at));
    },
  };
}

describe('labels a person sets, undoes and clears', () => {
  test('undo of a moved first error puts it back on the previous step, not nowhere', () => {
    const s = session({ type: 'firstError', sample: 0, step: 2 });
    s.change({ type: 'firstError', sample: 0, step: 4 });
    assert.equal(s.labels[0]?.firstError, 4);
    s.undo();
    assert.equal(s.labels[0]?.firstError, 2);
    s.change({ type: 'firstError', sample: 0, step: null });
    assert.equal(s.labels[0]?.firstError, undefined, 'cleared');
    s.undo();
    assert.equal(s.labels[0]?.firstError, 2);
  });

  test('who was right is kept per PRM: labelling or clearing one leaves the other', () => {
    const s = session(
      { type: 'whoWasRight', sample: 1, step: 3, judge: 'qwen-prm', who: 'self' },
      { type: 'whoWasRight', sample: 1, step: 3, judge: 'skywork', who: 'prm' },
    );
    assert.deepEqual(s.labels[1]?.steps[3]?.who, { 'qwen-prm': 'self', skywork: 'prm' });
    s.change({ type: 'whoWasRight', sample: 1, step: 3, judge: 'qwen-prm', who: 'both' });
    assert.deepEqual(s.labels[1]?.steps[3]?.who, { 'qwen-prm': 'both', skywork: 'prm' });
    s.change({ type: 'whoWasRight', sample: 1, step: 3, judge: 'qwen-prm', who: null });
    assert.deepEqual(s.labels[1]?.steps[3]?.who, { skywork: 'prm' });
    s.undo();
    assert.deepEqual(s.labels[1]?.steps[3]?.who, { 'qwen-prm': 'both', skywork: 'prm' });
    s.undo();
    assert.deepEqual(s.labels[1]?.steps[3]?.who, { 'qwen-prm': 'self', skywork: 'prm' });
  });

  test('clearing a who-was-right label on a step that has none changes nothing', () => {
    const s = session({ type: 'stepRating', sample: 0, step: 0, rating: 1 });
    s.change({ type: 'whoWasRight', sample: 0, step: 0, judge: 'qwen-prm', who: null });
    assert.deepEqual(s.labels[0]?.steps[0], { rating: 1 });
  });

  test("clearing one step leaves the sample's other steps, its first error and its note", () => {
    const s = session(
      { type: 'stepRating', sample: 2, step: 0, rating: 1 },
      { type: 'stepRating', sample: 2, step: 1, rating: -1 },
      { type: 'whoWasRight', sample: 2, step: 1, judge: 'qwen-prm', who: 'prm' },
      { type: 'note', sample: 2, step: 1, text: 'sign error' },
      { type: 'firstError', sample: 2, step: 1 },
      { type: 'note', sample: 2, text: 'sloppy' },
      { type: 'stepRating', sample: 3, step: 0, rating: 0 },
    );
    s.change({ type: 'clear', sample: 2, step: 1 });
    assert.deepEqual(s.labels[2], { firstError: 1, note: 'sloppy', steps: { 0: { rating: 1 } } });
    assert.deepEqual(s.labels[3], { steps: { 0: { rating: 0 } } }, 'another sample is untouched');
    s.undo();
    assert.deepEqual(s.labels[2], {
      firstError: 1,
      note: 'sloppy',
      steps: { 0: { rating: 1 }, 1: { rating: -1, who: { 'qwen-prm': 'prm' }, note: 'sign error' } },
    });
  });

  test('clearing a whole sample clears only that sample; undo brings every label back', () => {
    const before = [
      { type: 'stepRating', sample: 0, step: 0, rating: 0 },
      { type: 'whoWasRight', sample: 0, step: 2, judge: 'qwen-prm', who: 'neither' },
      { type: 'note', sample: 0, step: 2, text: 'both wrong' },
      { type: 'firstError', sample: 0, step: -1 },
      { type: 'note', sample: 0, text: 'fine overall' },
      { type: 'stepRating', sample: 1, step: 0, rating: -1 },
    ] satisfies AuditChange[];
    const s = session(...before);
    const labelled = s.labels;
    s.change({ type: 'clear', sample: 0 });
    assert.deepEqual(s.labels[0], { steps: {} });
    assert.deepEqual(s.labels[1], labelled[1]);
    s.undo();
    assert.deepEqual(s.labels, labelled);
  });

  test('clearing a sample or step with no labels has nothing to restore', () => {
    const s = session({ type: 'stepRating', sample: 0, step: 0, rating: 1 });
    assert.deepEqual(restoreChanges(s.labels, 5), []);
    assert.deepEqual(restoreChanges(s.labels, 0, 3), []);
  });

  test('undo of a note restores the earlier text, for a step and for the sample; a new note undoes to none', () => {
    const s = session(
      { type: 'note', sample: 0, step: 1, text: 'first thought' },
      { type: 'note', sample: 0, text: 'whole' },
    );
    s.change({ type: 'note', sample: 0, step: 1, text: 'second thought' });
    s.change({ type: 'note', sample: 0, text: 'changed my mind' });
    s.change({ type: 'note', sample: 0, step: 2, text: 'new' });
    assert.deepEqual(
      [s.labels[0]?.steps[1]?.note, s.labels[0]?.note, s.labels[0]?.steps[2]?.note],
      ['second thought', 'changed my mind', 'new'],
    );
    s.undo();
    assert.equal(s.labels[0]?.steps[2]?.note, undefined);
    s.undo();
    assert.equal(s.labels[0]?.note, 'whole');
    s.undo();
    assert.equal(s.labels[0]?.steps[1]?.note, 'first thought');
    s.change({ type: 'note', sample: 0, step: 1, text: '' });
    assert.equal(s.labels[0]?.steps[1]?.note, undefined, 'an empty note removes it');
  });

  test('undo of a rating restores the earlier rating, or none', () => {
    const s = session({ type: 'stepRating', sample: 4, step: 0, rating: 0 });
    s.change({ type: 'stepRating', sample: 4, step: 0, rating: -1 });
    s.change({ type: 'stepRating', sample: 4, step: 1, rating: 1 });
    s.undo();
    assert.equal(s.labels[4]?.steps[1]?.rating, undefined);
    s.undo();
    assert.equal(s.labels[4]?.steps[0]?.rating, 0);
  });

  test('the labelling progress counts rated steps only (a note or who-was-right alone is not a rating)', () => {
    const labels = replayAudit(
      (
        [
          { type: 'stepRating', sample: 0, step: 0, rating: 1 },
          { type: 'stepRating', sample: 0, step: 1, rating: -1 },
          { type: 'note', sample: 0, step: 2, text: 'hmm' },
          { type: 'whoWasRight', sample: 0, step: 3, judge: 'p', who: 'self' },
          { type: 'stepRating', sample: 0, step: 1, rating: null },
        ] satisfies AuditChange[]
      ).map((change) => stampEvent(change, at)),
    );
    assert.equal(ratedSteps(labels, 0), 1);
    assert.equal(ratedSteps(labels, 9), 0);
  });
});

describe('sameAuditEvents', () => {
  const rating = stampEvent({ type: 'stepRating', sample: 1, step: 2, rating: -1 }, new Date(0));
  // As read back from a log: zod puts the keys in its schema's order.
  const reordered = Object.fromEntries(Object.entries(rating).reverse()) as AuditEvent;

  test('an event as saved and as read back (keys in another order) are the same label', () => {
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(rating));
    assert.equal(sameAuditEvents([rating], [reordered]), true);
  });

  test('another value, another order of events or one more event is a change', () => {
    const other = stampEvent({ type: 'stepRating', sample: 1, step: 2, rating: 1 }, new Date(0));
    assert.equal(sameAuditEvents([rating], [other]), false);
    assert.equal(sameAuditEvents([rating, other], [other, rating]), false);
    assert.equal(sameAuditEvents([rating], [rating, other]), false);
    assert.equal(sameAuditEvents([], []), true);
  });
});
