/**
 * Which labels are not saved yet. Each label change the panel posts names a request; the host
 * answers each request once the audit log has the event (saved) or could not take it (failed). A
 * label is unsaved from the moment it is applied until the answer to its latest change says
 * saved; a failed answer keeps it unsaved, with the host's reason, until a later change of the
 * same label is saved. Labels are tracked one by one, so an answer about one label never clears
 * another's mark. Pure, with no DOM: the panel draws the marks.
 */
import type { AuditEvent } from '../src/core/schemas.js';
import type { RequestId } from '../src/protocol.js';

/** One label a change touches: the unit the panel marks unsaved. */
export const labelKeys = {
  rating: (sample: number, step: number) => `rating:${sample}:${step}`,
  who: (sample: number, step: number, judge: string) => `who:${sample}:${step}:${judge}`,
  firstError: (sample: number) => `firstError:${sample}`,
  note: (sample: number, step: number | undefined) => `note:${sample}:${step ?? 'sample'}`,
  clear: (sample: number, step: number | undefined) => `clear:${sample}:${step ?? 'sample'}`,
};

export function labelKey(event: AuditEvent): string {
  switch (event.type) {
    case 'stepRating':
      return labelKeys.rating(event.sample, event.step);
    case 'whoWasRight':
      return labelKeys.who(event.sample, event.step, event.judge);
    case 'firstError':
      return labelKeys.firstError(event.sample);
    case 'note':
      return labelKeys.note(event.sample, event.step);
    case 'clear':
      return labelKeys.clear(event.sample, event.step);
  }
}

/** The label and the value an event sets, in words: what a notice names. */
export function describeLabel(event: AuditEvent): string {
  const where = (step: number | undefined) =>
    step === undefined ? `sample ${event.sample}` : `sample ${event.sample}, step ${step}`;
  switch (event.type) {
    case 'stepRating': {
      const rating =
        event.rating === null ? 'cleared' : event.rating === 1 ? '+1' : event.rating === -1 ? '−1' : '0';
      return `${where(event.step)}: rating ${rating}`;
    }
    case 'whoWasRight':
      return `${where(event.step)}: who was right (vs ${event.judge}) ${event.who ?? 'cleared'}`;
    case 'firstError': {
      const verdict =
        event.step === null
          ? 'first-error verdict cleared'
          : event.step === -1
            ? 'no error'
            : `first error at step ${event.step}`;
      return `${where(undefined)}: ${verdict}`;
    }
    case 'note':
      return `${where(event.step)}: ${event.text === '' ? 'note removed' : 'note'}`;
    case 'clear':
      return `${where(event.step)}: labels cleared`;
  }
}

export interface UnsavedLabel {
  key: string;
  /** The label's latest change: what a retry posts again. */
  event: AuditEvent;
  requestId: RequestId;
  status: 'pending' | 'failed';
  /** Why it failed, from the host. */
  message?: string;
}

export class SaveTracker {
  private counter = 0;
  /** Requests not answered yet, to the label each changes. */
  private readonly requests = new Map<RequestId, string>();
  /** Unsaved labels by key, in the order they were last changed. */
  private readonly unsaved = new Map<string, UnsavedLabel>();

  /** `prefix` keeps ids of one page from meeting answers meant for an earlier one. */
  constructor(private readonly prefix: string) {}

  /** A change is applied and about to be posted: its request id. The label is unsaved from now. */
  begin(event: AuditEvent): RequestId {
    const requestId = `${this.prefix}-${++this.counter}`;
    const key = labelKey(event);
    this.requests.set(requestId, key);
    this.unsaved.delete(key);
    this.unsaved.set(key, { key, event, requestId, status: 'pending' });
    return requestId;
  }

  /** The host has the change in its log. Returns the label whose mark changed, if one did. */
  saved(requestId: RequestId): string | undefined {
    const label = this.answer(requestId);
    if (!label) return undefined;
    this.unsaved.delete(label.key);
    return label.key;
  }

  /** The host could not save the change. Returns the label whose mark changed, if one did. */
  failed(requestId: RequestId, message: string): string | undefined {
    const label = this.answer(requestId);
    if (!label) return undefined;
    label.status = 'failed';
    label.message = message;
    return label.key;
  }

  /**
   * The label an answer decides: none when the label was changed again since, because then the
   * newer change's answer decides (the log replays in order, so the newer one wins once saved);
   * none for a request this page never made (it was reloaded, and shows the log's labels anyway).
   */
  private answer(requestId: RequestId): UnsavedLabel | undefined {
    const key = this.requests.get(requestId);
    if (key === undefined) return undefined;
    this.requests.delete(requestId);
    const label = this.unsaved.get(key);
    return label?.requestId === requestId ? label : undefined;
  }

  state(key: string): UnsavedLabel | undefined {
    return this.unsaved.get(key);
  }

  failures(): UnsavedLabel[] {
    return [...this.unsaved.values()].filter((label) => label.status === 'failed');
  }

  /** The latest change of every unsaved label, oldest first: reapplied over a fresh copy of the log. */
  unsavedEvents(): AuditEvent[] {
    return [...this.unsaved.values()].map((label) => label.event);
  }

  /** Another run is shown: its answers no longer concern what is on screen. */
  reset(): void {
    this.requests.clear();
    this.unsaved.clear();
  }
}
