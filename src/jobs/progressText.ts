/**
 * What a long job says of itself, in the same words in the CLI and in VS Code: a dataset run's
 * plan (the confirmation's detail, `--plan`) and its progress line, a judge evaluation's progress
 * line. Pure text from the jobs' own figures.
 */
import { count, duration, rowsEtaSeconds } from '../core/progress.js';
import type { DatasetPlan, DatasetProgress } from './dataset.js';
import type { EvaluateProgress } from './evaluate.js';

export interface PlanSummary {
  /** Requests over every source: fewest (n in one request, full batches) and most. */
  requests: { low: number; high: number };
  /** Sources that ask once per step (unknown until sampled): their items count as one request each. */
  perStep: string[];
  tokens: { prompt: number; completion: number };
  /** Whether some source's tokens are counted at the limits (no finished work to measure). */
  upperBound: boolean;
  cost: number | null;
  unpriced: string[];
}

export function summarizePlan(plan: DatasetPlan): PlanSummary {
  const summary: PlanSummary = {
    requests: { low: 0, high: 0 },
    perStep: [],
    tokens: { prompt: 0, completion: 0 },
    upperBound: false,
    cost: plan.cost.total,
    unpriced: plan.cost.unpriced,
  };
  for (const [source, planned] of Object.entries(plan.bySource)) {
    if (planned.requests) {
      summary.requests.low += planned.requests.low;
      summary.requests.high += planned.requests.high;
    } else if (planned.items > 0) {
      summary.perStep.push(source);
      summary.requests.low += planned.items;
      summary.requests.high += planned.items;
    }
    summary.tokens.prompt += planned.tokens.promptTokens;
    summary.tokens.completion += planned.tokens.completionTokens;
    if (planned.basis === 'upper bound' && planned.items > 0) summary.upperBound = true;
  }
  return summary;
}

export function tokensText(value: number): string {
  return value >= 1e6
    ? `${(value / 1e6).toFixed(1)}M`
    : value >= 1e3
      ? `${(value / 1e3).toFixed(1)}k`
      : `${value}`;
}

/** The estimate, in the words of the confirmation's detail (and the log). */
export function planText(plan: DatasetPlan, summary = summarizePlan(plan)): string {
  const left = plan.problems - plan.complete;
  const requests =
    summary.requests.low === summary.requests.high
      ? count(summary.requests.high)
      : `${count(summary.requests.low)}–${count(summary.requests.high)}`;
  const lines = [
    `${plan.problems} problem(s): ${plan.complete} complete, ${left} to run${plan.inProgress > 0 ? ` (${plan.inProgress} in progress)` : ''}${plan.excluded.length > 0 ? `, ${plan.excluded.length} excluded` : ''}.`,
    ...(plan.failedKept > 0
      ? [
          `Failed samples: ${count(plan.failedKept)}, kept as failed (left out of every figure); --retry-failed or Ask Failed Samples Again asks them again.`,
        ]
      : []),
    `Requests: ${requests}${summary.perStep.length > 0 ? ` (more for ${summary.perStep.join(', ')}: one request per step)` : ''}.`,
    `Tokens: ${tokensText(summary.tokens.prompt)} in + ${tokensText(summary.tokens.completion)} out${summary.upperBound ? ' (at most: counted at maxTokens until some work is done)' : ' (measured from the finished work)'}.`,
    summary.cost === null
      ? 'Cost: no prices configured (set "price" on the policy and PRMs in a steplens.json to see dollars).'
      : `Cost: about $${summary.cost.toFixed(2)}${summary.unpriced.length > 0 ? ` (no price for ${summary.unpriced.join(', ')})` : ''}.`,
  ];
  return lines.join('\n');
}

/**
 * What each source still has to do, a line each (the CLI's --plan prints these under planText):
 * items, requests, tokens and their basis, dollars when priced.
 */
export function planSourceLines(plan: DatasetPlan): string {
  const lines: string[] = [];
  for (const [source, planned] of Object.entries(plan.bySource)) {
    const requests = planned.requests
      ? planned.requests.low === planned.requests.high
        ? count(planned.requests.low)
        : `${count(planned.requests.low)}–${count(planned.requests.high)}`
      : (planned.requestsNote ?? '?');
    const price = plan.cost.bySource[source];
    lines.push(
      `  ${source}: ${count(planned.items)} to do, requests ${requests}, tokens ${tokensText(planned.tokens.promptTokens)} in + ${tokensText(planned.tokens.completionTokens)} out (${planned.basis})${price === undefined ? '' : `, $${price.toFixed(2)}`}`,
    );
  }
  return lines.join('\n');
}

/**
 * A dataset run's progress in one line, the notification's and the CLI's: problems, samples,
 * judgements, requests (those in flight), tokens, cost when priced, ETA. A part that is zero and
 * says nothing new (reused, failed, in flight) is left out.
 */
export function datasetProgressLine(progress: DatasetProgress, eta: number | undefined): string {
  const used = progress.usage.promptTokens + progress.usage.completionTokens;
  return [
    `problems ${progress.problemsDone}/${progress.problems}${progress.reused > 0 ? ` (${progress.reused} reused)` : ''}`,
    `samples ${count(progress.samplesDone)}/${count(progress.samplesTotal)}${progress.failedSamples > 0 ? ` (${count(progress.failedSamples)} failed)` : ''}`,
    `judgements ${count(progress.judgementsDone)}`,
    `requests ${count(progress.requests)}${progress.requestsInFlight > 0 ? ` (${count(progress.requestsInFlight)} in flight)` : ''}`,
    `tokens ${tokensText(used)}`,
    ...(progress.cost.total === null ? [] : [`$${progress.cost.total.toFixed(2)}`]),
    ...(eta === undefined ? [] : [`ETA ${duration(eta)}`]),
  ].join(' · ');
}

/**
 * Seconds left at the pace of the samples made since the first progress report (reused samples
 * cost nothing and would make the estimate a lie); undefined until a fresh sample arrived.
 */
export function samplesEta(
  first: { at: number; samples: number },
  now: { at: number; samples: number; total: number },
): number | undefined {
  const fresh = now.samples - first.samples;
  const seconds = (now.at - first.at) / 1000;
  if (fresh <= 0 || seconds <= 0) return undefined;
  return ((now.total - now.samples) * seconds) / fresh;
}

/** A judge evaluation's progress in one line, the notification's and the CLI's: rows, reused, failures when any, ETA. */
export function rowsProgressLine(progress: EvaluateProgress, elapsedSeconds: number): string {
  const eta = rowsEtaSeconds(progress, elapsedSeconds);
  return [
    `rows ${progress.done}/${progress.total}`,
    `${progress.reused} reused`,
    ...(progress.withFailure > 0 ? [`${progress.withFailure} with a failed judge`] : []),
    ...(eta === undefined ? [] : [`ETA ${duration(eta)}`]),
  ].join(' · ');
}
