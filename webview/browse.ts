/**
 * Finding samples and steps in the open run, with no DOM: text search over every step and
 * reasoning trace, the samples' filters (final answer, correctness, a judge's verdict) and their
 * order (by a judge's solution score). Pure, so it is unit-tested in Node; the state (state.ts)
 * keeps what is chosen.
 */
import { answersEquivalent } from '../src/core/answers.js';
import type { Run, Sample } from '../src/core/schemas.js';
import { groupAnswers } from '../src/core/vote.js';
import { judgeFirstError, judgeName, type SampleSummary } from './model.js';
import { texToText } from './texText.js';

// -------------------------------------------------------------------------------------------
// Filters and order

/** A sample's final answer against the reference. Failed samples have no answer. */
export type Outcome = 'correct' | 'wrong' | 'noAnswer' | 'unknown';

export const OUTCOMES: Outcome[] = ['correct', 'wrong', 'noAnswer', 'unknown'];

export const OUTCOME_NAMES: Record<Outcome, string> = {
  correct: 'correct',
  wrong: 'wrong',
  noAnswer: 'no answer',
  unknown: 'unknown (no reference)',
};

export function outcomeOf(sample: Sample): Outcome {
  if (sample.error || sample.answer === null || sample.answer.trim() === '') return 'noAnswer';
  if (sample.correct === undefined) return 'unknown';
  return sample.correct ? 'correct' : 'wrong';
}

/** A judge's verdict on a whole sample, read at the judge's τ. */
export interface VerdictFilter {
  judge: string;
  /** true: the judge names a first error; false: it finds none. */
  hasError: boolean;
}

/** What the samples list keeps; an absent field keeps every sample. Plain data: it is saved. */
export interface SampleFilters {
  /** A final answer, as the answers table writes it; equivalent answers match (19 = 19.0). */
  answer?: string;
  outcome?: Outcome;
  verdict?: VerdictFilter;
}

/** The samples' order: by sample index when absent, else by a judge's solution score. */
export interface SampleSort {
  judge: string;
  descending: boolean;
}

export function hasFilters(filters: SampleFilters): boolean {
  return filters.answer !== undefined || filters.outcome !== undefined || filters.verdict !== undefined;
}

/** Whether `judge` says `sample` has an error (true), has none (false), or gave no verdict. */
export function judgeSaysError(run: Run, sample: Sample, judge: string): boolean | undefined {
  if (sample.judgements[judge]?.error) return undefined;
  const first = judgeFirstError(run, sample, judge);
  return first === undefined ? undefined : first !== -1;
}

export function keeps(run: Run, sample: Sample, filters: SampleFilters): boolean {
  if (filters.outcome !== undefined && outcomeOf(sample) !== filters.outcome) return false;
  if (filters.answer !== undefined) {
    if (sample.error || sample.answer === null || !answersEquivalent(filters.answer, sample.answer))
      return false;
  }
  if (filters.verdict !== undefined) {
    if (judgeSaysError(run, sample, filters.verdict.judge) !== filters.verdict.hasError) return false;
  }
  return true;
}

/** A judge's solution score for `sample`; undefined when there is none (not judged, failed). */
function scoreOf(sample: Sample, judge: string): number | undefined {
  const judgement = sample.judgements[judge];
  if (!judgement || judgement.error) return undefined;
  return typeof judgement.solutionScore === 'number' ? judgement.solutionScore : undefined;
}

/**
 * The samples the list shows, in its order. Samples without a score sort last either way (they
 * are not "the worst"), and equal scores keep sample order, so the order is stable as a run grows.
 */
export function shownSamples(
  run: Run,
  summaries: readonly SampleSummary[],
  filters: SampleFilters,
  sort: SampleSort | undefined,
): SampleSummary[] {
  const kept = summaries.filter((summary) => keeps(run, summary.sample, filters));
  if (!sort) return kept;
  const sign = sort.descending ? -1 : 1;
  return kept
    .map((summary) => ({ summary, score: scoreOf(summary.sample, sort.judge) }))
    .sort((a, b) => {
      if (a.score === undefined || b.score === undefined) {
        if (a.score !== b.score) return a.score === undefined ? 1 : -1;
      } else if (a.score !== b.score) return sign * (a.score - b.score);
      return a.summary.sample.index - b.summary.sample.index;
    })
    .map(({ summary }) => summary);
}

/** Every distinct final answer with how many samples give it, most given first. */
export function answerCounts(run: Run): { answer: string; count: number }[] {
  const usable = run.samples.filter((sample) => !sample.error);
  return groupAnswers(usable.map((sample) => sample.answer))
    .map((group) => ({ answer: group.answer, count: group.members.length }))
    .sort((a, b) => b.count - a.count);
}

export function outcomeCounts(run: Run): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { correct: 0, wrong: 0, noAnswer: 0, unknown: 0 };
  for (const sample of run.samples) counts[outcomeOf(sample)]++;
  return counts;
}

/** How many samples `judge` calls error-free / erroneous. */
export function verdictCounts(run: Run, judge: string): { ok: number; error: number } {
  const counts = { ok: 0, error: 0 };
  for (const sample of run.samples) {
    const says = judgeSaysError(run, sample, judge);
    if (says === true) counts.error++;
    else if (says === false) counts.ok++;
  }
  return counts;
}

export function verdictFilterText(verdict: VerdictFilter): string {
  return `${judgeName(verdict.judge)} ${verdict.hasError ? 'finds an error' : 'finds no error'}`;
}

/** The active filters in words, for "12 of 64 shown" and for saying why none is. */
export function describeFilters(filters: SampleFilters): string[] {
  return [
    filters.answer !== undefined ? `answer ${texToText(filters.answer)}` : null,
    filters.outcome !== undefined ? OUTCOME_NAMES[filters.outcome] : null,
    filters.verdict !== undefined ? verdictFilterText(filters.verdict) : null,
  ].filter((part): part is string => part !== null);
}

/** Why the list is empty: which filters, together, keep no sample. */
export function emptyReason(run: Run, filters: SampleFilters): string {
  if (run.samples.length === 0) return 'No samples yet.';
  const parts = describeFilters(filters);
  const alone = parts.length > 1 ? ' Each alone keeps some: try removing one.' : '';
  // A filter that alone keeps nothing is named: that is the one to change.
  const single: [keyof SampleFilters, string][] = [];
  if (filters.answer !== undefined) single.push(['answer', `answer ${texToText(filters.answer)}`]);
  if (filters.outcome !== undefined) single.push(['outcome', OUTCOME_NAMES[filters.outcome]]);
  if (filters.verdict !== undefined) single.push(['verdict', verdictFilterText(filters.verdict)]);
  const barren = single.filter(
    ([key]) => !run.samples.some((sample) => keeps(run, sample, { [key]: filters[key] })),
  );
  if (barren.length > 0)
    return `No sample matches: none of the ${run.samples.length} is ${barren.map(([, text]) => `“${text}”`).join(' or ')}.`;
  return `No sample is ${parts.map((part) => `“${part}”`).join(' and ')} at once.${alone}`;
}

// -------------------------------------------------------------------------------------------
// Search

/**
 * Lower case that keeps every character at its offset (toLowerCase turns "İ" into two), so an
 * offset found in the lowered text is the same offset in the text shown.
 */
export function lowerSameLength(text: string): string {
  const lowered = text.toLowerCase();
  if (lowered.length === text.length) return lowered;
  let out = '';
  for (const char of text) {
    const low = char.toLowerCase();
    out += low.length === char.length ? low : char;
  }
  return out;
}

/** Lowered texts (the trace, then the steps), made once per sample object (live updates replace samples, never edit them). */
const lowered = new WeakMap<Sample, LoweredSample>();

interface LoweredSample {
  trace: string;
  steps: string[];
}

function loweredSample(sample: Sample): LoweredSample {
  let texts = lowered.get(sample);
  if (!texts) {
    texts = { trace: lowerSameLength(sample.reasoning ?? ''), steps: sample.steps.map(lowerSameLength) };
    lowered.set(sample, texts);
  }
  return texts;
}

/** Makes the lowered text of every sample not made yet, so that the first search is as quick as the next. */
export function prepareSearch(samples: readonly Sample[]): void {
  for (const sample of samples) loweredSample(sample);
}

/**
 * The `step` of a match in the sample's reasoning trace. The trace is shown above the steps, so
 * its matches come first, as the step before step 0.
 */
export const TRACE = -1;

/** One occurrence of the query: in step `step` of sample `sample` (TRACE: its reasoning trace), at character `start`. */
export interface SearchMatch {
  sample: number;
  step: number;
  start: number;
}

/** Whether `query` is something to search for (not empty, not only spaces). */
export function searchable(query: string): boolean {
  return query.trim() !== '';
}

/**
 * One number per (sample, step): a map keyed by it is built in a few ms for 100,000 matches. The
 * trace (step −1) is 0 and step n is n + 1, so no two keys meet.
 */
export function stepKey(sample: number, step: number): number {
  return sample * 1_048_576 + step + 1;
}

/** A search's matches, and where they are: each text's as [first, end) in `matches`. */
export interface MatchIndex {
  matches: SearchMatch[];
  /** By stepKey(sample, step); a text without a match has none. */
  byStep: Map<number, [number, number]>;
  /** The samples holding a match. */
  samples: Set<number>;
}

/**
 * Every occurrence of `query` (case-insensitive, not overlapping) in `samples`, in their order:
 * in each, its reasoning trace's first, then its steps', as the panel shows them top to bottom.
 * Where they are is noted while they are found: a key typed that finds 100,000 matches is not
 * spent going over them again.
 */
export function indexMatches(samples: readonly Sample[], query: string): MatchIndex {
  const index: MatchIndex = { matches: [], byStep: new Map(), samples: new Set() };
  if (!searchable(query)) return index;
  const needle = lowerSameLength(query);
  const { matches, byStep } = index;
  for (const sample of samples) {
    const { trace, steps } = loweredSample(sample);
    const held = matches.length;
    for (let step = TRACE; step < steps.length; step++) {
      const text = step === TRACE ? trace : steps[step]!;
      let at = text.indexOf(needle);
      if (at === -1) continue;
      const first = matches.length;
      while (at !== -1) {
        matches.push({ sample: sample.index, step, start: at });
        at = text.indexOf(needle, at + needle.length);
      }
      byStep.set(stepKey(sample.index, step), [first, matches.length]);
    }
    if (matches.length > held) index.samples.add(sample.index);
  }
  return index;
}

export function findMatches(samples: readonly Sample[], query: string): SearchMatch[] {
  return indexMatches(samples, query).matches;
}

/** How many times `query` occurs in `samples` (the ones the filters hide): counted, none kept. */
export function countMatches(samples: readonly Sample[], query: string): number {
  if (!searchable(query)) return 0;
  const needle = lowerSameLength(query);
  let count = 0;
  for (const sample of samples) {
    const { trace, steps } = loweredSample(sample);
    for (const text of [trace, ...steps]) {
      let at = text.indexOf(needle);
      while (at !== -1) {
        count++;
        at = text.indexOf(needle, at + needle.length);
      }
    }
  }
  return count;
}

/** How many samples the matches fall in. */
export function samplesWithMatches(matches: readonly SearchMatch[]): number {
  return new Set(matches.map((match) => match.sample)).size;
}

/**
 * The match to go to first: the first at or after the selected step (the search goes on from
 * where the person is, as a browser's find does), else the first of all.
 */
export function firstMatchFrom(
  matches: readonly SearchMatch[],
  order: readonly number[],
  sample: number,
  step: number,
): number {
  if (matches.length === 0) return -1;
  const rank = new Map(order.map((index, position) => [index, position]));
  const here = rank.get(sample) ?? -1;
  // Matches come a sample at a time: each sample's rank is looked up once.
  let last = Number.NaN;
  let position = -1;
  const found = matches.findIndex((match) => {
    if (match.sample !== last) {
      last = match.sample;
      position = rank.get(match.sample) ?? -1;
    }
    return position > here || (position === here && match.step >= step);
  });
  return found === -1 ? 0 : found;
}
