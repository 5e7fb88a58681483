/**
 * Audit labels: the current labels are the replay of the append-only event log. Undo appends the
 * event that restores the previous value, so the log never loses a change.
 */
import type { AuditEvent, Sample, WHO_WAS_RIGHT } from './schemas.js';
import { SCHEMA_VERSION } from './schemaVersion.js';

export type StepRating = -1 | 0 | 1;
export type WhoWasRight = (typeof WHO_WAS_RIGHT)[number];

export interface StepLabels {
  rating?: StepRating;
  /** Per PRM judge id: who was right where self and that PRM disagreed. */
  who?: Record<string, WhoWasRight>;
  note?: string;
}

export interface SampleLabels {
  /** Human first-error index, −1 = no error. */
  firstError?: number;
  note?: string;
  steps: Record<number, StepLabels>;
}

export type AuditLabels = Record<number, SampleLabels>;

function sampleOf(labels: AuditLabels, sample: number): SampleLabels {
  labels[sample] ??= { steps: {} };
  return labels[sample];
}

function stepOf(labels: AuditLabels, sample: number, step: number): StepLabels {
  const entry = sampleOf(labels, sample);
  entry.steps[step] ??= {};
  return entry.steps[step];
}

/** Applies one event in place; the replay of a log is a fold of this. */
export function applyAuditEvent(labels: AuditLabels, event: AuditEvent): void {
  switch (event.type) {
    case 'stepRating': {
      const step = stepOf(labels, event.sample, event.step);
      if (event.rating === null) delete step.rating;
      else step.rating = event.rating;
      break;
    }
    case 'whoWasRight': {
      const step = stepOf(labels, event.sample, event.step);
      if (event.who === null) {
        if (step.who) delete step.who[event.judge];
      } else {
        step.who = { ...step.who, [event.judge]: event.who };
      }
      break;
    }
    case 'firstError': {
      const sample = sampleOf(labels, event.sample);
      if (event.step === null) delete sample.firstError;
      else sample.firstError = event.step;
      break;
    }
    case 'note': {
      const target =
        event.step === undefined ? sampleOf(labels, event.sample) : stepOf(labels, event.sample, event.step);
      if (event.text === '') delete target.note;
      else target.note = event.text;
      break;
    }
    case 'clear': {
      if (event.step === undefined) labels[event.sample] = { steps: {} };
      else delete sampleOf(labels, event.sample).steps[event.step];
      break;
    }
  }
}

export function replayAudit(events: Iterable<AuditEvent>): AuditLabels {
  const labels: AuditLabels = {};
  for (const event of events) applyAuditEvent(labels, event);
  return labels;
}

type Timeless<E> = E extends AuditEvent ? Omit<E, 'at' | 'schemaVersion'> : never;
export type AuditChange = Timeless<AuditEvent>;

export function stampEvent(change: AuditChange, at: Date = new Date()): AuditEvent {
  return { ...change, schemaVersion: SCHEMA_VERSION, at: at.toISOString() } as AuditEvent;
}

/** The change that puts back what `change` is about to overwrite (for undo). */
export function inverseOf(labels: AuditLabels, change: AuditChange): AuditChange {
  const sample = labels[change.sample];
  switch (change.type) {
    case 'stepRating':
      return { ...change, rating: sample?.steps[change.step]?.rating ?? null };
    case 'whoWasRight':
      return { ...change, who: sample?.steps[change.step]?.who?.[change.judge] ?? null };
    case 'firstError':
      return { ...change, step: sample?.firstError ?? null };
    case 'note': {
      const previous = change.step === undefined ? sample?.note : sample?.steps[change.step]?.note;
      return { ...change, text: previous ?? '' };
    }
    case 'clear':
      // Clearing is undone by re-applying each label it removed; callers undo it as a group.
      return change;
  }
}

/** The changes that restore everything a `clear` is about to remove. */
export function restoreChanges(labels: AuditLabels, sample: number, step?: number): AuditChange[] {
  const entry = labels[sample];
  if (!entry) return [];
  const changes: AuditChange[] = [];
  const steps =
    step === undefined ? Object.entries(entry.steps) : [[String(step), entry.steps[step]] as const];
  for (const [key, labelsOfStep] of steps) {
    if (!labelsOfStep) continue;
    const index = Number(key);
    if (labelsOfStep.rating !== undefined)
      changes.push({ type: 'stepRating', sample, step: index, rating: labelsOfStep.rating });
    for (const [judge, who] of Object.entries(labelsOfStep.who ?? {})) {
      changes.push({ type: 'whoWasRight', sample, step: index, judge, who });
    }
    if (labelsOfStep.note !== undefined)
      changes.push({ type: 'note', sample, step: index, text: labelsOfStep.note });
  }
  if (step === undefined) {
    if (entry.firstError !== undefined) changes.push({ type: 'firstError', sample, step: entry.firstError });
    if (entry.note !== undefined) changes.push({ type: 'note', sample, text: entry.note });
  }
  return changes;
}

/** How many of a sample's steps carry a rating: the labeling progress shown per sample. */
export function ratedSteps(labels: AuditLabels, sample: number): number {
  const entry = labels[sample];
  if (!entry) return 0;
  return Object.values(entry.steps).filter((step) => step.rating !== undefined).length;
}

/**
 * The human first error of a sample: the explicit label when given; otherwise the first step rated
 * −1; otherwise −1 when every step is rated; otherwise unknown.
 */
export function humanFirstError(
  sample: Pick<Sample, 'steps'>,
  labels: SampleLabels | undefined,
): number | undefined {
  if (!labels) return undefined;
  if (labels.firstError !== undefined) return labels.firstError;
  for (let step = 0; step < sample.steps.length; step++) {
    const rating = labels.steps[step]?.rating;
    if (rating === -1) return step;
    if (rating === undefined) return undefined;
  }
  return sample.steps.length > 0 ? -1 : undefined;
}

/**
 * Whether two lists hold the same events in the same order, whatever the order of each event's
 * keys: an event as this window saved it and as read back from the log (zod orders the keys by
 * its schema) are the same label.
 */
export function sameAuditEvents(a: readonly AuditEvent[], b: readonly AuditEvent[]): boolean {
  return a.length === b.length && a.every((event, i) => sortedJson(event) === sortedJson(b[i]!));
}

function sortedJson(event: AuditEvent): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(event).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
  );
}
