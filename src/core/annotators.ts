/**
 * Several people label the same runs. Every event names its annotator; each annotator's labels are
 * the replay of their own events, kept apart, and an adjudicated event settles a disagreement as its
 * own layer. Exports and judge-versus-human figures read one label per sample, resolved here by
 * one rule (`resolveSample`), so every consumer agrees on which label counts.
 */
import {
  type AuditLabels,
  applyAuditEvent,
  humanFirstError,
  type SampleLabels,
  type StepLabels,
} from './audit.js';
import { cohensKappa, fleissKappa, type KappaScore } from './metrics.js';
import type { AuditEvent, Sample } from './schemas.js';

/**
 * Whose labels events written before annotators existed are. Setting `steplens.annotator` to this
 * name continues them.
 */
export const UNNAMED_ANNOTATOR = 'unnamed';

export function annotatorOf(event: Pick<AuditEvent, 'annotator'>): string {
  return event.annotator ?? UNNAMED_ANNOTATOR;
}

export interface AnnotatedLabels {
  /** Each annotator's own labels, annotators in the order their first event was written. */
  byAnnotator: Map<string, AuditLabels>;
  /** The adjudicated layer: labels set by adjudication events, whoever wrote them. */
  adjudicated: AuditLabels;
  /** Per sample, who wrote its adjudication events. */
  adjudicators: Map<number, string[]>;
}

export function replayByAnnotator(events: Iterable<AuditEvent>): AnnotatedLabels {
  const byAnnotator = new Map<string, AuditLabels>();
  const adjudicated: AuditLabels = {};
  const adjudicators = new Map<number, string[]>();
  for (const event of events) {
    if (event.adjudicated) {
      applyAuditEvent(adjudicated, event);
      const who = adjudicators.get(event.sample) ?? [];
      if (!who.includes(annotatorOf(event))) who.push(annotatorOf(event));
      adjudicators.set(event.sample, who);
      continue;
    }
    const who = annotatorOf(event);
    let labels = byAnnotator.get(who);
    if (!labels) {
      labels = {};
      byAnnotator.set(who, labels);
    }
    applyAuditEvent(labels, event);
  }
  return { byAnnotator, adjudicated, adjudicators };
}

/** Who is saving a label, as the host knows it (never as a webview claims it). */
export interface Attribution {
  annotator: string;
  /** True only for labels saved from the adjudication view. */
  adjudicated?: boolean;
}

/** The event as it is written: the annotator and the adjudication flag are the host's, whatever the event said. */
export function attribute(event: AuditEvent, by: Attribution): AuditEvent {
  const { annotator: _claimed, adjudicated: _claimedAdjudication, ...rest } = event;
  return { ...rest, annotator: by.annotator, ...(by.adjudicated ? { adjudicated: true as const } : {}) };
}

/** One annotator's own (not adjudicated) events: what their panel replays and undoes. */
export function eventsOfAnnotator(events: readonly AuditEvent[], annotator: string): AuditEvent[] {
  return events.filter((event) => !event.adjudicated && annotatorOf(event) === annotator);
}

/**
 * Where a sample's resolved label came from: the one annotator who labelled it; every annotator
 * agreeing; an adjudication; or nobody yet, because annotators disagree and nobody adjudicated.
 */
export type LabelSource =
  | { kind: 'single'; annotator: string }
  | { kind: 'consensus'; annotators: string[] }
  | { kind: 'adjudicated'; annotators: string[]; adjudicators: string[] }
  | { kind: 'contested'; annotators: string[] };

export interface ResolvedSample {
  labels?: SampleLabels;
  source: LabelSource;
}

function hasLabels(labels: SampleLabels | undefined): labels is SampleLabels {
  if (!labels) return false;
  if (labels.firstError !== undefined || labels.note !== undefined) return true;
  return Object.values(labels.steps).some(
    (step) => step.rating !== undefined || step.note !== undefined || Object.keys(step.who ?? {}).length > 0,
  );
}

/** The value all who gave one agree on, `conflict` when two differ, undefined when nobody gave one. */
function agreed<T>(values: readonly (T | undefined)[]): T | undefined | typeof CONFLICT {
  let seen: T | undefined;
  for (const value of values) {
    if (value === undefined) continue;
    if (seen === undefined) seen = value;
    else if (seen !== value) return CONFLICT;
  }
  return seen;
}
const CONFLICT = Symbol('conflict');

/** Notes are kept from everyone, each named, never resolved away. */
function mergedNote(entries: readonly [string, string | undefined][]): string | undefined {
  const notes = entries.filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (notes.length === 0) return undefined;
  if (notes.length === 1) return notes[0]![1];
  return notes.map(([who, text]) => `${who}: ${text}`).join(' | ');
}

/** Annotators' step labels where they do not contradict each other; the conflicts are left out. */
function mergeAgreeing(perAnnotator: readonly [string, SampleLabels][]): {
  labels: SampleLabels;
  conflicts: number;
} {
  let conflicts = 0;
  const merged: SampleLabels = { steps: {} };
  const stepIndexes = new Set<number>();
  for (const [, labels] of perAnnotator)
    for (const key of Object.keys(labels.steps)) stepIndexes.add(Number(key));
  for (const step of [...stepIndexes].sort((a, b) => a - b)) {
    const of = perAnnotator.map(([who, labels]) => [who, labels.steps[step]] as const);
    const out: StepLabels = {};
    const rating = agreed(of.map(([, labels]) => labels?.rating));
    if (rating === CONFLICT) conflicts += 1;
    else if (rating !== undefined) out.rating = rating;
    const judges = new Set(of.flatMap(([, labels]) => Object.keys(labels?.who ?? {})));
    for (const judge of judges) {
      const who = agreed(of.map(([, labels]) => labels?.who?.[judge]));
      if (who === CONFLICT) conflicts += 1;
      else if (who !== undefined) out.who = { ...out.who, [judge]: who };
    }
    const note = mergedNote(of.map(([who, labels]) => [who, labels?.note]));
    if (note !== undefined) out.note = note;
    if (Object.keys(out).length > 0) merged.steps[step] = out;
  }
  const firstError = agreed(perAnnotator.map(([, labels]) => labels.firstError));
  if (firstError === CONFLICT) conflicts += 1;
  else if (firstError !== undefined) merged.firstError = firstError;
  const note = mergedNote(perAnnotator.map(([who, labels]) => [who, labels.note]));
  if (note !== undefined) merged.note = note;
  return { labels: merged, conflicts };
}

function overlay(base: SampleLabels, top: SampleLabels): SampleLabels {
  const out: SampleLabels = { ...base, steps: { ...base.steps } };
  if (top.firstError !== undefined) out.firstError = top.firstError;
  if (top.note !== undefined) out.note = top.note;
  for (const [key, step] of Object.entries(top.steps)) {
    const index = Number(key);
    const below = out.steps[index] ?? {};
    out.steps[index] = {
      ...below,
      ...(step.rating !== undefined ? { rating: step.rating } : {}),
      ...(step.note !== undefined ? { note: step.note } : {}),
      ...(step.who ? { who: { ...below.who, ...step.who } } : {}),
    };
  }
  return out;
}

/**
 * The label of one sample that exports and judge-versus-human figures use:
 * - one annotator: theirs;
 * - several: their labels where they agree, when they agree on every step both rated and on the
 *   human first error (an explicit one, or the one their ratings imply); otherwise contested —
 *   no label until someone adjudicates;
 * - adjudicated: the agreeing labels with the adjudication on top, whatever else was contested.
 */
export function resolveSample(
  sample: Pick<Sample, 'steps'>,
  perAnnotator: readonly [string, SampleLabels | undefined][],
  adjudicated: SampleLabels | undefined,
  adjudicators: readonly string[] = [],
): ResolvedSample | undefined {
  const labelled = perAnnotator.filter((entry): entry is [string, SampleLabels] => hasLabels(entry[1]));
  const annotators = labelled.map(([who]) => who);
  if (hasLabels(adjudicated)) {
    const { labels } = mergeAgreeing(labelled);
    return {
      labels: overlay(labels, adjudicated),
      source: { kind: 'adjudicated', annotators, adjudicators: [...adjudicators] },
    };
  }
  if (labelled.length === 0) return undefined;
  if (labelled.length === 1) {
    const [who, labels] = labelled[0]!;
    return { labels, source: { kind: 'single', annotator: who } };
  }
  const { labels, conflicts } = mergeAgreeing(labelled);
  const firstErrors = labelled.map(([, own]) => humanFirstError(sample as Sample, own));
  if (conflicts > 0 || agreed(firstErrors) === CONFLICT) return { source: { kind: 'contested', annotators } };
  return { labels, source: { kind: 'consensus', annotators } };
}

export interface ResolvedRunLabels {
  /** One label per sample by `resolveSample`; contested samples have none. */
  labels: AuditLabels;
  sources: Map<number, LabelSource>;
  annotators: string[];
  byAnnotator: Map<string, AuditLabels>;
}

export function resolveRunLabels(
  samples: readonly Pick<Sample, 'index' | 'steps'>[],
  events: readonly AuditEvent[],
): ResolvedRunLabels {
  const { byAnnotator, adjudicated, adjudicators } = replayByAnnotator(events);
  const labels: AuditLabels = {};
  const sources = new Map<number, LabelSource>();
  for (const sample of samples) {
    const resolved = resolveSample(
      sample,
      [...byAnnotator].map(([who, own]) => [who, own[sample.index]]),
      adjudicated[sample.index],
      adjudicators.get(sample.index),
    );
    if (!resolved) continue;
    sources.set(sample.index, resolved.source);
    if (resolved.labels) labels[sample.index] = resolved.labels;
  }
  return { labels, sources, annotators: [...byAnnotator.keys()], byAnnotator };
}

/** How a resolved label is named in exports: "ana", "ana+ben", "adjudicated by cai". */
export function describeSource(source: LabelSource): string {
  switch (source.kind) {
    case 'single':
      return source.annotator;
    case 'consensus':
      return source.annotators.join('+');
    case 'adjudicated':
      return `adjudicated by ${source.adjudicators.join('+')}`;
    case 'contested':
      return `contested: ${source.annotators.join('+')}`;
  }
}

/** One place where annotators disagree: a step's rating or a sample's human first error. */
export interface AnnotatorDisagreement {
  sample: number;
  /** The step rated differently; for a first-error disagreement, the earliest first error named. */
  step: number;
  kind: 'rating' | 'firstError';
  /** Each annotator's value (a rating, or a first error with −1 for none), in annotator order. */
  values: { annotator: string; value: number }[];
  /** The adjudicated value, once someone settled it. */
  adjudicated?: number;
}

/**
 * What the adjudication view lists: every step rated differently by two annotators, and every
 * sample whose human first errors differ, in sample then step order (first errors before the
 * ratings of the same sample, since settling one often settles the others).
 */
export function annotatorDisagreements(
  samples: readonly Pick<Sample, 'index' | 'steps'>[],
  events: readonly AuditEvent[],
): AnnotatorDisagreement[] {
  const { byAnnotator, adjudicated } = replayByAnnotator(events);
  const out: AnnotatorDisagreement[] = [];
  for (const sample of samples) {
    const own = [...byAnnotator].map(([annotator, labels]) => [annotator, labels[sample.index]] as const);
    const settled = adjudicated[sample.index];
    const firstErrors = own
      .map(([annotator, labels]) => ({ annotator, value: humanFirstError(sample, labels) }))
      .filter((entry): entry is { annotator: string; value: number } => entry.value !== undefined);
    if (new Set(firstErrors.map((entry) => entry.value)).size > 1) {
      const named = firstErrors.map((entry) => entry.value).filter((value) => value >= 0);
      const settledFirst = settled ? humanFirstError(sample, settled) : undefined;
      out.push({
        sample: sample.index,
        step: named.length > 0 ? Math.min(...named) : 0,
        kind: 'firstError',
        values: firstErrors,
        ...(settledFirst !== undefined ? { adjudicated: settledFirst } : {}),
      });
    }
    for (let step = 0; step < sample.steps.length; step++) {
      const ratings = own
        .map(([annotator, labels]) => ({ annotator, value: labels?.steps[step]?.rating }))
        .filter((entry): entry is { annotator: string; value: -1 | 0 | 1 } => entry.value !== undefined);
      if (new Set(ratings.map((entry) => entry.value)).size < 2) continue;
      const settledRating = settled?.steps[step]?.rating;
      out.push({
        sample: sample.index,
        step,
        kind: 'rating',
        values: ratings,
        ...(settledRating !== undefined ? { adjudicated: settledRating } : {}),
      });
    }
  }
  return out;
}

/** Human-versus-human agreement on one kind of label. */
export interface HumanKappa extends KappaScore {
  /** Cohen's κ for two annotators, Fleiss' κ for three or more. */
  method: 'cohen' | 'fleiss';
  /**
   * Items labelled by at least two annotators but not by all of them: Fleiss' κ needs every rater
   * on every item, so they are left out of the overall figure (they count in the pairwise ones).
   */
  partial: number;
}

export interface HumanAgreement {
  annotators: string[];
  /** On step ratings (−1/0/+1 as categories), over steps every annotator rated. */
  stepRatings: HumanKappa;
  /** On human first-error positions (each position, and "none", a category), over samples all labelled. */
  firstErrors: HumanKappa;
  /** Cohen's κ of every pair of annotators, over the items both labelled. */
  pairs: { a: string; b: string; stepRatings: KappaScore; firstErrors: KappaScore }[];
}

export interface AnnotatedRun {
  samples: readonly Pick<Sample, 'index' | 'steps' | 'error' | 'cancelled'>[];
  byAnnotator: ReadonlyMap<string, AuditLabels>;
}

/**
 * Agreement between the people who labelled, never including adjudications (they settle
 * disagreements, so counting them would inflate agreement). Undefined with fewer than two annotators.
 */
export function humanAgreement(runs: readonly AnnotatedRun[]): HumanAgreement | undefined {
  const annotators: string[] = [];
  for (const run of runs)
    for (const who of run.byAnnotator.keys()) if (!annotators.includes(who)) annotators.push(who);
  if (annotators.length < 2) return undefined;
  // Per item, each annotator's value or undefined, in `annotators` order.
  const ratingItems: (number | undefined)[][] = [];
  const firstErrorItems: (number | undefined)[][] = [];
  for (const run of runs) {
    for (const sample of run.samples) {
      if (sample.error || sample.cancelled) continue;
      const own = annotators.map((who) => run.byAnnotator.get(who)?.[sample.index]);
      firstErrorItems.push(own.map((labels) => humanFirstError(sample, labels)));
      for (let step = 0; step < sample.steps.length; step++)
        ratingItems.push(own.map((labels) => labels?.steps[step]?.rating));
    }
  }
  const overall = (items: (number | undefined)[][]): HumanKappa => {
    const complete = items.filter((item) => item.every((value) => value !== undefined)) as number[][];
    const partial = items.filter((item) => {
      const given = item.filter((value) => value !== undefined).length;
      return given >= 2 && given < annotators.length;
    }).length;
    if (annotators.length === 2)
      return { method: 'cohen', ...cohensKappa(complete.map(([a, b]) => [a!, b!] as const)), partial };
    return { method: 'fleiss', ...fleissKappa(complete), partial };
  };
  const pairwise = (items: (number | undefined)[][], a: number, b: number): KappaScore =>
    cohensKappa(
      items
        .filter((item) => item[a] !== undefined && item[b] !== undefined)
        .map((item) => [item[a]!, item[b]!] as const),
    );
  const pairs: HumanAgreement['pairs'] = [];
  for (let a = 0; a < annotators.length; a++)
    for (let b = a + 1; b < annotators.length; b++)
      pairs.push({
        a: annotators[a]!,
        b: annotators[b]!,
        stepRatings: pairwise(ratingItems, a, b),
        firstErrors: pairwise(firstErrorItems, a, b),
      });
  return { annotators, stepRatings: overall(ratingItems), firstErrors: overall(firstErrorItems), pairs };
}
