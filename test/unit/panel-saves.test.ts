/** The panel's record of unsaved labels: which answer decides a label's mark. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuditChange, stampEvent } from '../../src/core/audit.js';
import { describeLabel, labelKeys, SaveTracker } from '../../webview/saves.js';

const ev = (change: AuditChange) => stampEvent(change, new Date('2026-11-28T10:00:00Z'));
const rating = (value: -1 | 0 | 1 | null) => ev({ type: 'stepRating', sample: 2, step: 1, rating: value });
const who = ev({ type: 'whoWasRight', sample: 2, step: 1, judge: 'qwen-prm', who: 'prm' });
const ratingKey = labelKeys.rating(2, 1);

describe('unsaved labels in the panel', () => {
  test('a label is unsaved from its change until the answer to that change says saved', () => {
    const saves = new SaveTracker('t');
    const id = saves.begin(rating(-1));
    assert.equal(saves.state(ratingKey)?.status, 'pending');
    assert.equal(saves.saved(id), ratingKey);
    assert.equal(saves.state(ratingKey), undefined);
    assert.equal(saves.saved(id), undefined, 'a repeated answer changes nothing');
  });

  test('an answer about one label leaves every other label as it was', () => {
    const saves = new SaveTracker('t');
    const r = saves.begin(rating(-1));
    const w = saves.begin(who);
    saves.failed(r, 'disk full');
    saves.saved(w);
    assert.deepEqual(
      saves.failures().map((label) => [label.key, label.message]),
      [[ratingKey, 'disk full']],
    );
    assert.equal(saves.state(labelKeys.who(2, 1, 'qwen-prm')), undefined);
  });

  test('once a label changes again, only the answer to its latest change decides', () => {
    const saves = new SaveTracker('t');
    const first = saves.begin(rating(-1));
    const second = saves.begin(rating(0));
    assert.equal(saves.saved(first), undefined, 'the older value is saved, the shown one is not');
    assert.equal(saves.state(ratingKey)?.status, 'pending');
    saves.failed(second, 'disk full');
    assert.equal(saves.state(ratingKey)?.status, 'failed');
    // Set again (or retried) and saved: the log now ends with the shown value.
    const third = saves.begin(rating(0));
    assert.equal(saves.failures().length, 0, 'pending again, no longer failed');
    saves.saved(third);
    assert.equal(saves.state(ratingKey), undefined);
  });

  test('a failure of an older change does not mark a label whose latest change is saved', () => {
    const saves = new SaveTracker('t');
    const first = saves.begin(rating(-1));
    const second = saves.begin(rating(1));
    saves.saved(second);
    assert.equal(saves.failed(first, 'disk full'), undefined);
    assert.deepEqual(saves.failures(), []);
  });

  test('ids are unique per page; unknown answers are ignored; a new run forgets the old', () => {
    const a = new SaveTracker('pageA');
    const b = new SaveTracker('pageB');
    assert.notEqual(a.begin(rating(1)), b.begin(rating(1)));
    assert.equal(a.failed('pageB-1', 'x'), undefined);
    assert.deepEqual(a.failures(), []);
    a.reset();
    assert.deepEqual(a.unsavedEvents(), []);
  });

  test('labels are named as a person reads them', () => {
    assert.equal(describeLabel(rating(-1)), 'sample 2, step 1: rating −1');
    assert.equal(describeLabel(rating(null)), 'sample 2, step 1: rating cleared');
    assert.equal(describeLabel(who), 'sample 2, step 1: who was right (vs qwen-prm) prm');
    assert.equal(describeLabel(ev({ type: 'firstError', sample: 3, step: -1 })), 'sample 3: no error');
    assert.equal(
      describeLabel(ev({ type: 'note', sample: 3, step: 0, text: '' })),
      'sample 3, step 0: note removed',
    );
  });
});
