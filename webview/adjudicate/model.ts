/**
 * The adjudication page's state, with no DOM: which item is in focus, what a key press does, and
 * what is saved. An adjudication counts as settled only once the host says the log has it; a
 * failure keeps the item open and in focus, with the host's reason.
 */
import { itemKey } from '../../src/core/adjudication.js';
import { type AuditChange, stampEvent } from '../../src/core/audit.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import type { AdjudicationItemMessage as Item, RequestId } from '../../src/protocol.js';

/** Keys that take annotator 1's, 2's… value: letters, since 1/2/3 are the ratings as in the panel. */
export const ANNOTATOR_KEYS = ['a', 'b', 'c', 'd'] as const;

export type Action =
  | { kind: 'move'; delta: 1 | -1 }
  | { kind: 'nextOpen' }
  /** First-error items: which step `e` would name. */
  | { kind: 'shownStep'; delta: 1 | -1 }
  /** A rating (−1/0/+1) or a first error (−1: no error). */
  | { kind: 'settle'; value: number }
  /** Withdraw this view's last adjudication (the panel's and the queue's undo key). */
  | { kind: 'undo' };

export function keyAction(key: string, item: Item | undefined, shownStep: number): Action | undefined {
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return { kind: 'move', delta: 1 };
    case 'k':
    case 'ArrowUp':
      return { kind: 'move', delta: -1 };
    case 'n':
      return { kind: 'nextOpen' };
    case 'u':
      return { kind: 'undo' };
  }
  if (!item) return undefined;
  const annotator = ANNOTATOR_KEYS.indexOf(key as (typeof ANNOTATOR_KEYS)[number]);
  if (annotator >= 0) {
    const value = item.values[annotator]?.value;
    return value === undefined ? undefined : { kind: 'settle', value };
  }
  if (item.kind === 'rating') {
    // The panel's rating keys (webview/keys.ts).
    if (key === '1') return { kind: 'settle', value: -1 };
    if (key === '2') return { kind: 'settle', value: 0 };
    if (key === '3') return { kind: 'settle', value: 1 };
    return undefined;
  }
  switch (key) {
    case 'e':
      return { kind: 'settle', value: shownStep };
    case '0':
      return { kind: 'settle', value: -1 };
    case 'h':
    case 'ArrowLeft':
      return { kind: 'shownStep', delta: -1 };
    case 'l':
    case 'ArrowRight':
      return { kind: 'shownStep', delta: 1 };
  }
  return undefined;
}

/**
 * The label an adjudication writes; the host marks it adjudicated and names the adjudicator. Null
 * withdraws the adjudication (an undo is one more event: the log is append-only).
 */
export function adjudicationChange(item: Item, value: number | null): AuditChange {
  if (item.kind === 'firstError') return { type: 'firstError', sample: item.sample, step: value };
  return { type: 'stepRating', sample: item.sample, step: item.step, rating: value as -1 | 0 | 1 | null };
}

export function describeValue(kind: Item['kind'], value: number): string {
  if (kind === 'firstError') return value < 0 ? 'no error' : `step ${value}`;
  return value > 0 ? '+1' : value < 0 ? '−1' : '0';
}

/**
 * What an item is about, in a status line: "problem aime-07, sample 2, step 1" or "problem
 * aime-07, sample 1, first error". The problem too: a dataset has many samples numbered 2.
 */
export function describeItem(item: Pick<Item, 'problemId' | 'sample' | 'kind' | 'step'>): string {
  return `problem ${item.problemId}, sample ${item.sample}, ${item.kind === 'firstError' ? 'first error' : `step ${item.step}`}`;
}

/** What an undo puts an item back to: open, or the adjudication before. */
function backTo(item: Pick<Item, 'kind'>, previous: number | undefined): string {
  return previous === undefined ? 'open again' : `back to ${describeValue(item.kind, previous)}`;
}

/** PRM800K's meaning of a rating, beside the number. */
export function ratingWord(value: number): string {
  return value > 0 ? 'good' : value < 0 ? 'wrong' : 'neutral';
}

/** The status line as shown: with the item in focus, never another item's note. */
export type Status =
  | { kind: 'idle' }
  | { kind: 'saving'; text: string }
  | { kind: 'saved'; text: string }
  | { kind: 'failed'; text: string };

/** The last save's note and the item it is about. */
type Note = { kind: 'saving' | 'saved'; text: string; key: string };

/** An adjudication this view saved: what undo puts back. */
interface Done {
  key: string;
  /** The item's adjudicated value before (undefined: it was open). */
  previous: number | undefined;
}

interface Pending {
  requestId: RequestId;
  key: string;
  value: number | undefined;
  /** An undo in flight: the adjudication it withdraws (back on the stack if the save fails). */
  undoing?: Done;
  previous: number | undefined;
}

const keyOf = itemKey;

export class Adjudication {
  items: Item[] = [];
  focus = 0;
  /** For a first-error item: the step shown, which `e` names. */
  shownStep = 0;
  title = '';
  annotator = '';
  private pending: Pending | undefined;
  private note: Note | undefined;
  /** This view's saved adjudications, last on top: `u` withdraws them one by one. */
  private readonly done: Done[] = [];
  /**
   * Items whose last save failed, until one is saved, with the failure line: marked in the list,
   * the line shown only while its item is in focus ("press the key again" means that item's key).
   */
  private readonly failures = new Map<string, string>();
  private counter = 0;

  /** `prefix` keeps request ids of one page apart from an earlier page's answers. */
  constructor(private readonly prefix: string) {}

  get current(): Item | undefined {
    return this.items[this.focus];
  }

  get settled(): number {
    return this.items.filter((item) => item.adjudicated !== undefined).length;
  }

  isFailed(item: Item): boolean {
    return this.failures.has(keyOf(item));
  }

  /** "3 of 12 settled", and how many are not saved (their lines show only on their items). */
  progress(): string {
    const failed = this.items.filter((item) => this.isFailed(item)).length;
    return `${this.settled} of ${this.items.length} settled${failed > 0 ? ` · ${failed} not saved` : ''}`;
  }

  /**
   * The status line for the item in focus: its failure, else the save in flight for it, else the
   * last save's confirmation (which names its item) until the adjudicator moves on by hand.
   */
  get status(): Status {
    const current = this.current && keyOf(this.current);
    const failure = current !== undefined ? this.failures.get(current) : undefined;
    if (failure !== undefined) return { kind: 'failed', text: failure };
    const note = this.note;
    if (note?.kind === 'saved' || (note && note.key === current)) return { kind: note.kind, text: note.text };
    return { kind: 'idle' };
  }

  /**
   * The host's list. The first one sets the order (open first) and focus; later ones only bring
   * values up to date, so nothing moves under the adjudicator's eyes.
   */
  show(message: { title: string; annotator: string; items: Item[] }): void {
    this.title = message.title;
    this.annotator = message.annotator;
    if (this.items.length === 0) {
      this.items = message.items;
      this.focusItem(0);
      return;
    }
    const fresh = new Map(message.items.map((item) => [keyOf(item), item]));
    const kept = this.items.map((item) => fresh.get(keyOf(item))).filter((item): item is Item => !!item);
    const known = new Set(kept.map(keyOf));
    const focused = this.current && keyOf(this.current);
    this.items = [...kept, ...message.items.filter((item) => !known.has(keyOf(item)))];
    const at = this.items.findIndex((item) => keyOf(item) === focused);
    if (at >= 0) this.focus = at;
    else this.focusItem(Math.min(this.focus, this.items.length - 1));
  }

  private focusItem(index: number): void {
    this.focus = Math.max(0, index);
    const item = this.current;
    this.shownStep =
      item?.kind === 'firstError'
        ? item.adjudicated !== undefined && item.adjudicated >= 0
          ? item.adjudicated
          : item.step
        : (item?.step ?? 0);
  }

  /** The next open item after the focused one (wrapping), or undefined when all are settled. */
  private nextOpen(): number | undefined {
    for (let offset = 1; offset <= this.items.length; offset++) {
      const index = (this.focus + offset) % this.items.length;
      if (this.items[index]?.adjudicated === undefined) return index;
    }
    return undefined;
  }

  /** A key press: the event to post when it settles an item, else undefined (the page redraws). */
  press(
    key: string,
    at: Date = new Date(),
  ): { requestId: RequestId; runId: string; event: AuditEvent } | undefined {
    const item = this.current;
    const action = keyAction(key, item, this.shownStep);
    if (!action) return undefined;
    // A confirmation is for the moment after the key that made it, not for the item moved to next.
    if (this.note?.kind === 'saved') this.note = undefined;
    switch (action.kind) {
      case 'move': {
        const next = this.focus + action.delta;
        if (next >= 0 && next < this.items.length) this.focusItem(next);
        return undefined;
      }
      case 'nextOpen': {
        const next = this.nextOpen();
        if (next !== undefined) this.focusItem(next);
        return undefined;
      }
      case 'shownStep': {
        const steps = item?.steps.length ?? 0;
        this.shownStep = Math.min(Math.max(this.shownStep + action.delta, 0), Math.max(steps - 1, 0));
        return undefined;
      }
      case 'settle': {
        if (!item) return undefined;
        // One adjudication in flight at a time: its answer decides whether the view moves on.
        if (this.pending) return undefined;
        const requestId = `${this.prefix}-${++this.counter}`;
        this.pending = { requestId, key: keyOf(item), value: action.value, previous: item.adjudicated };
        this.note = {
          kind: 'saving',
          key: keyOf(item),
          text: `saving ${describeItem(item)}: ${describeValue(item.kind, action.value)}…`,
        };
        return {
          requestId,
          runId: item.runId,
          event: stampEvent(adjudicationChange(item, action.value), at),
        };
      }
      case 'undo':
        return this.undo(at);
    }
  }

  /** `u`: back to the item of this view's last adjudication, and the event that puts back what it replaced. */
  private undo(at: Date): { requestId: RequestId; runId: string; event: AuditEvent } | undefined {
    if (this.pending) return undefined;
    const last = this.done.pop();
    if (!last) {
      this.note = { kind: 'saved', key: '', text: 'nothing to undo: this view has settled nothing yet' };
      return undefined;
    }
    const index = this.items.findIndex((entry) => keyOf(entry) === last.key);
    const item = this.items[index];
    if (!item) return undefined;
    this.focusItem(index);
    const requestId = `${this.prefix}-${++this.counter}`;
    this.pending = {
      requestId,
      key: last.key,
      value: last.previous,
      undoing: last,
      previous: item.adjudicated,
    };
    this.note = {
      kind: 'saving',
      key: last.key,
      text: `undoing ${describeItem(item)}: ${backTo(item, last.previous)}…`,
    };
    return {
      requestId,
      runId: item.runId,
      event: stampEvent(adjudicationChange(item, last.previous ?? null), at),
    };
  }

  /** The log has it: the item is settled, and the view moves to the next open one if it was still on it. */
  saved(requestId: RequestId): boolean {
    const pending = this.pending;
    if (!pending || pending.requestId !== requestId) return false;
    this.pending = undefined;
    const index = this.items.findIndex((item) => keyOf(item) === pending.key);
    const item = this.items[index];
    if (!item) return false;
    if (pending.value === undefined) delete item.adjudicated;
    else item.adjudicated = pending.value;
    this.failures.delete(pending.key);
    if (pending.undoing) {
      // Undone, it stays in focus: the adjudicator settles it again or moves on.
      this.note = {
        kind: 'saved',
        key: pending.key,
        text: `undone ${describeItem(item)}: ${backTo(item, pending.value)}`,
      };
      return true;
    }
    this.done.push({ key: pending.key, previous: pending.previous });
    this.note = {
      kind: 'saved',
      key: pending.key,
      text: `saved ${describeItem(item)}: ${describeValue(item.kind, pending.value as number)}`,
    };
    if (index === this.focus) {
      const next = this.nextOpen();
      if (next !== undefined) this.focusItem(next);
    }
    return true;
  }

  /** Not saved: the item stays open and in focus, and the reason is shown. */
  failed(requestId: RequestId, message: string): boolean {
    const pending = this.pending;
    if (!pending || pending.requestId !== requestId) return false;
    this.pending = undefined;
    if (this.note?.key === pending.key) this.note = undefined;
    const item = this.items.find((entry) => keyOf(entry) === pending.key);
    if (pending.undoing) {
      // Still to undo: u again tries it again.
      this.done.push(pending.undoing);
      if (item)
        this.failures.set(
          pending.key,
          `not undone ${describeItem(item)} (${message}). It stays ${item.adjudicated === undefined ? 'open' : `settled as ${describeValue(item.kind, item.adjudicated)}`}: press u again to retry.`,
        );
      return true;
    }
    if (!item) return true;
    this.failures.set(
      pending.key,
      `not saved ${describeItem(item)}: ${describeValue(item.kind, pending.value as number)} (${message}). It stays open: press the key again to retry.`,
    );
    return true;
  }
}
