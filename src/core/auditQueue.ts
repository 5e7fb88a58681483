/**
 * The audit queue across a dataset (or any set of runs): the steps where Self-PRM and a PRM
 * disagree, strongest first, one at a time, so a person labels a 500-problem dataset without
 * opening 500 runs.
 *
 * Rules (the queue page states them):
 * - An item is a step the panel marks as a disagreement (src/core/disagreement.ts): one judge at or
 *   above its τ and the other below its own, or a step either judge names as its first error when
 *   the two name different ones. Several PRMs disagreeing on one step make one item; the PRM shown
 *   with it is the one that disagrees most strongly there.
 * - Order: first-error mismatches first (the step is a first error one judge names and the other
 *   does not), then by strength |(self − τ_self) − (PRM − τ_PRM)| descending (|self − PRM| when
 *   both τ are equal; 0 when a score is missing), then run id, sample, step: the same queue for
 *   everyone, every time.
 * - An item is labelled by an annotator when its step carries their rating, or its sample carries
 *   their first-error verdict (`e`): a sample's first error settles every step of it (those before
 *   are not wrong, those after come after the first error), which is why `e` moves on to the next
 *   sample.
 */
import { replayByAnnotator } from './annotators.js';
import type { AuditLabels } from './audit.js';
import { disagreement } from './disagreement.js';
import { verdictOf } from './judgements.js';
import { SELF_JUDGE_ID } from './rerank.js';
import type { AuditEvent, Run } from './schemas.js';

export interface QueueInput {
  run: Run;
  /** The problem's subset or source (dataset.json's `subset`), for the subset filter. */
  subset?: string;
}

/**
 * The queue's orders: `strength` is the order above, across every problem; `problem` keeps each
 * problem's items together, of every run of it (its steps read with the problem fresh in mind),
 * problems in the order of their strongest item and each problem's items in the order above.
 */
export const QUEUE_ORDERS = ['strength', 'problem'] as const;
export type QueueOrder = (typeof QUEUE_ORDERS)[number];

export interface QueueFilter {
  /** Only disagreements with this PRM judge; default: every PRM of each run. */
  prm?: string;
  /** Only problems of these subsets (or sources); default: all. */
  subsets?: readonly string[];
  /** Default: `strength`. */
  order?: QueueOrder;
}

export interface QueueItem {
  /** `run#sample#step`: names the item in saved positions. */
  key: string;
  run: string;
  sample: number;
  step: number;
  subset?: string;
  /** The PRM shown with the item: the one that disagrees most strongly here. */
  prm: string;
  /** Every PRM that disagrees here (the shown one first). */
  prms: string[];
  /** The step is a first error one judge names and the other does not. */
  firstErrorMismatch: boolean;
  /** |(self − τ_self) − (PRM − τ_PRM)|; 0 when either score is missing. */
  strength: number;
}

export function itemKey(run: string, sample: number, step: number): string {
  return `${run}#${sample}#${step}`;
}

interface Candidate {
  prm: string;
  firstErrorMismatch: boolean;
  strength: number;
}

/** The stronger of two candidates for one step, by the queue's own order. */
function stronger(a: Candidate, b: Candidate): boolean {
  if (a.firstErrorMismatch !== b.firstErrorMismatch) return a.firstErrorMismatch;
  return a.strength > b.strength;
}

function prmsOf(run: Run): string[] {
  return run.judges.map((judge) => judge.id).filter((id) => id !== SELF_JUDGE_ID);
}

function itemsOfRun(input: QueueInput, filter: QueueFilter): QueueItem[] {
  const { run } = input;
  const prms = prmsOf(run).filter((prm) => filter.prm === undefined || prm === filter.prm);
  const items: QueueItem[] = [];
  for (const sample of run.samples) {
    if (sample.error) continue;
    const self = verdictOf(run, SELF_JUDGE_ID, sample.judgements[SELF_JUDGE_ID]);
    const byStep = new Map<number, Candidate[]>();
    for (const prm of prms) {
      const other = verdictOf(run, prm, sample.judgements[prm]);
      const found = disagreement(self, other, sample.steps.length);
      if (!self || !other || found.count === 0) continue;
      found.steps.forEach((flag, step) => {
        if (!flag) return;
        const a = self.stepScores[step];
        const b = other.stepScores[step];
        const strength = a == null || b == null ? 0 : Math.abs(a - self.threshold - (b - other.threshold));
        const firstErrorMismatch =
          found.firstErrorsDiffer && (step === self.firstError || step === other.firstError);
        const list = byStep.get(step) ?? [];
        list.push({ prm, firstErrorMismatch, strength });
        byStep.set(step, list);
      });
    }
    for (const [step, candidates] of byStep) {
      const best = candidates.reduce((a, b) => (stronger(b, a) ? b : a));
      items.push({
        key: itemKey(run.id, sample.index, step),
        run: run.id,
        sample: sample.index,
        step,
        ...(input.subset !== undefined ? { subset: input.subset } : {}),
        prm: best.prm,
        prms: [best.prm, ...candidates.map((c) => c.prm).filter((prm) => prm !== best.prm)],
        firstErrorMismatch: best.firstErrorMismatch,
        strength: best.strength,
      });
    }
  }
  return items;
}

/** Code-unit order: the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareItems(a: QueueItem, b: QueueItem): number {
  if (a.firstErrorMismatch !== b.firstErrorMismatch) return a.firstErrorMismatch ? -1 : 1;
  if (a.strength !== b.strength) return b.strength - a.strength;
  return compareText(a.run, b.run) || a.sample - b.sample || a.step - b.step;
}

/** The queue: every disagreeing step of the runs that pass the filter, in the filter's order. */
export function buildQueue(inputs: readonly QueueInput[], filter: QueueFilter = {}): QueueItem[] {
  const subsets = filter.subsets && filter.subsets.length > 0 ? new Set(filter.subsets) : undefined;
  const items = inputs
    .filter((input) => !subsets || (input.subset !== undefined && subsets.has(input.subset)))
    .flatMap((input) => itemsOfRun(input, filter))
    .sort(compareItems);
  return filter.order === 'problem' ? problemByProblem(items, inputs) : items;
}

/**
 * Each problem's items together (every run of it: the workspace's runs may hold a problem twice),
 * problems in the order of their first (strongest) item; `items` sorted. A problem is its source
 * file and id: two files may both have a problem "1".
 */
function problemByProblem(items: readonly QueueItem[], inputs: readonly QueueInput[]): QueueItem[] {
  const problemOf = new Map(
    inputs.map(({ run }) => [run.id, `${run.problem.source.file}\u0000${run.problem.id}`]),
  );
  const byProblem = new Map<string, QueueItem[]>();
  for (const item of items) {
    const problem = problemOf.get(item.run) ?? item.run;
    const group = byProblem.get(problem);
    if (group) group.push(item);
    else byProblem.set(problem, [item]);
  }
  return [...byProblem.values()].flat();
}

/**
 * Why a queue without items has none, when the reason is not that the judges agree: no sample was
 * judged by both Self-PRM and a PRM (every sample failed, or a judge never ran). Undefined when some
 * sample was, so an empty queue does mean agreement. `name` names the runs (a dataset's name).
 */
export function nothingJudged(inputs: readonly QueueInput[], name: string): string | undefined {
  let samples = 0;
  let failed = 0;
  let judged = 0;
  for (const { run } of inputs) {
    for (const sample of run.samples) {
      samples += 1;
      if (sample.error) {
        failed += 1;
        continue;
      }
      const self = verdictOf(run, SELF_JUDGE_ID, sample.judgements[SELF_JUDGE_ID]);
      if (self && prmsOf(run).some((prm) => verdictOf(run, prm, sample.judgements[prm]))) judged += 1;
    }
  }
  if (judged > 0) return undefined;
  const why =
    samples === 0
      ? 'its runs have no samples'
      : failed === samples
        ? `every sample failed (${failed} of ${samples}), so none was judged`
        : `no sample was judged by both Self-PRM and a PRM${failed > 0 ? ` (${failed} of ${samples} samples failed)` : ''}`;
  return `Nothing to label in ${name}: ${why}. The queue lists the steps where Self-PRM and a PRM disagree.`;
}

/** What the filters offer: every PRM and every subset of the runs, sorted. */
export function queueChoices(inputs: readonly QueueInput[]): { prms: string[]; subsets: string[] } {
  const prms = new Set(inputs.flatMap((input) => prmsOf(input.run)));
  const subsets = new Set(inputs.flatMap((input) => (input.subset === undefined ? [] : [input.subset])));
  return { prms: [...prms].sort(compareText), subsets: [...subsets].sort(compareText) };
}

// -------------------------------------------------------------------------------------------------
// Labels and progress

/** One annotator's labels of each run: undefined for a run they have not labelled. */
export type LabelsOf = (run: string) => AuditLabels | undefined;

export function isLabelled(
  labels: AuditLabels | undefined,
  item: Pick<QueueItem, 'sample' | 'step'>,
): boolean {
  const sample = labels?.[item.sample];
  if (!sample) return false;
  return sample.firstError !== undefined || sample.steps[item.step]?.rating !== undefined;
}

export function labelledCount(items: readonly QueueItem[], labelsOf: LabelsOf): number {
  return items.filter((item) => isLabelled(labelsOf(item.run), item)).length;
}

/** Per run, per annotator: each annotator's labels (the replay of their events in the run's log). */
export type LabelsByRun = ReadonlyMap<string, ReadonlyMap<string, AuditLabels>>;

export interface AnnotatorProgress {
  annotator: string;
  labelled: number;
}

/** Labelled of total for every annotator with a label in the runs (and `include`, even at 0), by name. */
export function queueProgress(
  items: readonly QueueItem[],
  labels: LabelsByRun,
  include: readonly string[] = [],
): { total: number; annotators: AnnotatorProgress[] } {
  const names = new Set(include);
  for (const byAnnotator of labels.values()) for (const name of byAnnotator.keys()) names.add(name);
  const annotators = [...names].sort(compareText).map((annotator) => ({
    annotator,
    labelled: labelledCount(items, (run) => labels.get(run)?.get(annotator)),
  }));
  return { total: items.length, annotators };
}

// -------------------------------------------------------------------------------------------------
// Moving through the queue

export interface MoveOptions {
  /** Only items the annotator has not labelled; the search wraps round to the start once. */
  unlabelledOnly: boolean;
  labelsOf: LabelsOf;
  /** Skip the items of the sample at `from` (after `e`: that sample is settled). */
  otherSample?: boolean;
}

/**
 * The item to show after the one at `from` (−1: before the first): the next one in order that the
 * options allow; with `unlabelledOnly`, an unlabelled one skipped earlier is found by wrapping
 * round. Undefined: nothing is left (all labelled, or the end of the queue).
 */
export function nextIndex(
  items: readonly QueueItem[],
  from: number,
  options: MoveOptions,
): number | undefined {
  const current = items[from];
  const allowed = (i: number) => {
    const item = items[i]!;
    if (options.otherSample && current && item.run === current.run && item.sample === current.sample)
      return false;
    return !options.unlabelledOnly || !isLabelled(options.labelsOf(item.run), item);
  };
  for (let i = from + 1; i < items.length; i++) if (allowed(i)) return i;
  if (options.unlabelledOnly) for (let i = 0; i < Math.min(from, items.length); i++) if (allowed(i)) return i;
  return undefined;
}

/**
 * Where to start when the queue opens: at the item last shown (`key`) if it is still in the queue
 * and still wanted, else the next wanted one after it, else the first wanted one.
 */
export function resumeIndex(
  items: readonly QueueItem[],
  key: string | undefined,
  options: Omit<MoveOptions, 'otherSample'>,
): number | undefined {
  const at = key === undefined ? -1 : items.findIndex((item) => item.key === key);
  if (at >= 0 && (!options.unlabelledOnly || !isLabelled(options.labelsOf(items[at]!.run), items[at]!)))
    return at;
  return nextIndex(items, at, options);
}

// -------------------------------------------------------------------------------------------------
// What the queue page shows of a run

export interface QueueVerdict {
  scores: (number | null)[];
  /** −1: no error found. */
  firstError: number;
  threshold: number;
}

export interface QueueSample {
  index: number;
  steps: string[];
  answer: string | null;
  correct?: boolean;
  /** By judge id; null: the judge gave no verdict on this sample. */
  verdicts: Record<string, QueueVerdict | null>;
}

/** A run cut down to what the queue shows: the problem and the samples that have items. */
export interface QueueRun {
  id: string;
  problem: string;
  reference: string | null;
  subset?: string;
  samples: QueueSample[];
}

export function queueRun(input: QueueInput, items: readonly QueueItem[]): QueueRun {
  const { run } = input;
  const wanted = new Set(items.filter((item) => item.run === run.id).map((item) => item.sample));
  return {
    id: run.id,
    problem: run.problem.text,
    reference: run.problem.reference ?? null,
    ...(input.subset !== undefined ? { subset: input.subset } : {}),
    samples: run.samples
      .filter((sample) => wanted.has(sample.index))
      .map((sample) => ({
        index: sample.index,
        steps: sample.steps,
        answer: sample.answer,
        ...(sample.correct !== undefined ? { correct: sample.correct } : {}),
        verdicts: Object.fromEntries(
          run.judges.map((judge) => {
            const verdict = verdictOf(run, judge.id, sample.judgements[judge.id]);
            return [
              judge.id,
              verdict
                ? {
                    scores: [...verdict.stepScores],
                    firstError: verdict.firstError,
                    threshold: verdict.threshold,
                  }
                : null,
            ];
          }),
        ),
      })),
  };
}

/** A note someone else left on a step: shown with the item, so whoever labels it reads what was said. */
export interface QueueNote {
  sample: number;
  step: number;
  /** Who wrote it; for an adjudicated note, the sample's adjudicators. */
  annotator: string;
  text: string;
  adjudicated?: boolean;
}

/**
 * The step notes of a run's audit log that are not `annotator`'s own (the page replays their own
 * events, unsaved edits included): every other annotator's note as it stands now, then the
 * adjudicated layer's. Ordered by sample and step, annotators in the order they first wrote.
 */
export function othersStepNotes(events: readonly AuditEvent[], annotator: string): QueueNote[] {
  const { byAnnotator, adjudicated, adjudicators } = replayByAnnotator(events);
  const notes: QueueNote[] = [];
  const collect = (labels: AuditLabels, who: (sample: number) => string, isAdjudicated: boolean) => {
    for (const [sampleKey, sample] of Object.entries(labels))
      for (const [stepKey, step] of Object.entries(sample.steps))
        if (step.note !== undefined)
          notes.push({
            sample: Number(sampleKey),
            step: Number(stepKey),
            annotator: who(Number(sampleKey)),
            text: step.note,
            ...(isAdjudicated ? { adjudicated: true } : {}),
          });
  };
  for (const [who, labels] of byAnnotator) if (who !== annotator) collect(labels, () => who, false);
  collect(adjudicated, (sample) => adjudicators.get(sample)?.join(', ') ?? '', true);
  // Stable: within a step, the order of collection (annotators as they first wrote, adjudication last).
  return notes.sort((a, b) => a.sample - b.sample || a.step - b.step);
}
