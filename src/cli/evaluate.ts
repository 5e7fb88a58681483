/**
 * `steplens evaluate FILE… --config CFG --out DIR` from a shell; the rows decide what it does:
 * step-labelled rows get the judge evaluation (src/jobs/evaluate.ts), problems a dataset run
 * (src/jobs/dataset.ts).
 */

import { countSamples } from '../core/datasetReport.js';
import { count, duration, rowsEtaSeconds } from '../core/progress.js';
import { loadConfig } from '../io/configFile.js';
import {
  type DatasetPlan,
  type DatasetProgress,
  planDataset,
  rowsKind,
  runDataset,
} from '../jobs/dataset.js';
import { type EvaluateProgress, evaluateDataset } from '../jobs/evaluate.js';
import { environmentKeys } from '../llm/judges.js';
import type { PipelineEvent } from '../llm/pipeline.js';
import { UsageError } from './io.js';

export interface EvaluateArgs {
  files: string[];
  config: string;
  out: string;
  /** The subset a PRM's best τ is chosen on (ProcessBench: gsm8k). */
  tauSubset: string;
  /** Rows judged at once; default enough to keep every endpoint busy. */
  concurrency?: number;
  quiet: boolean;
  /** Dataset runs: fail on the first malformed row instead of skipping it. */
  strict?: boolean;
  /** Dataset runs: request failed samples and judgements again. */
  retryFailed?: boolean;
  /** Dataset runs: print what is left to do and its estimated tokens and cost; send nothing. */
  plan?: boolean;
  /** Dataset runs: stop (resumably) after this many requests. */
  maxRequests?: number;
  /** Dataset runs: stop (resumably) once the tokens used cost this many dollars. */
  maxCost?: number;
}

/** Exit code of a dataset run stopped at --max-requests or --max-cost (resumable). */
export const EXIT_BUDGET = 3;

type Streams = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } };

/** A live line on a terminal; on a pipe, a plain line every 10 s and at the end. */
function progressPrinter(stderr: Streams['stderr'], quiet: boolean) {
  const started = Date.now();
  const live = !quiet && stderr.isTTY === true;
  let lastLine = 0;
  return {
    progress({ done, total, reused, withFailure }: EvaluateProgress) {
      if (quiet) return;
      const seconds = rowsEtaSeconds({ done, total, reused }, (Date.now() - started) / 1000);
      const eta = seconds === undefined ? '' : ` · ETA ${duration(seconds)}`;
      const text = `rows ${done}/${total} (${reused} reused, ${withFailure} with a failed judge)${eta}`;
      if (live) stderr.write(`\r${text}   `);
      else if (Date.now() - lastLine >= 10_000 || done === total) {
        lastLine = Date.now();
        stderr.write(`${text}\n`);
      }
    },
    event(event: PipelineEvent) {
      if (event.type === 'retry' && !quiet)
        stderr.write(`${live ? '\n' : ''}retry ${event.attempt} in ${event.delayMs} ms: ${event.message}\n`);
    },
    end() {
      if (live) stderr.write('\n');
    },
  };
}

export async function runEvaluate(
  args: EvaluateArgs,
  streams: Streams,
  signal?: AbortSignal,
): Promise<number> {
  const loaded = await loadConfig(args.config);
  if ((await rowsKind(args.files)) === 'problems') return runDatasetCommand(args, loaded, streams, signal);
  if (args.plan || args.maxRequests !== undefined || args.maxCost !== undefined)
    throw new UsageError(
      '--plan, --max-requests and --max-cost apply to dataset runs (problems without steps)',
    );
  const printer = progressPrinter(streams.stderr, args.quiet);
  const outcome = await evaluateDataset({
    files: args.files,
    loaded,
    out: args.out,
    tauSubset: args.tauSubset,
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
    resolveKey: environmentKeys,
    ...(signal ? { signal } : {}),
    onProgress: printer.progress,
    onEvent: printer.event,
  });
  printer.end();
  streams.stdout.write(
    `${JSON.stringify({ out: args.out, rows: outcome.rows, judged: outcome.judged, reused: outcome.reused, skipped: outcome.skipped.length, complete: outcome.complete })}\n`,
  );
  return outcome.complete ? 0 : 130;
}

const tokens = (count: number) =>
  count >= 1e6 ? `${(count / 1e6).toFixed(1)}M` : count >= 1e3 ? `${(count / 1e3).toFixed(1)}k` : `${count}`;

async function runDatasetCommand(
  args: EvaluateArgs,
  loaded: Awaited<ReturnType<typeof loadConfig>>,
  streams: Streams,
  signal?: AbortSignal,
): Promise<number> {
  if (args.plan) {
    const plan = await planDataset({
      files: args.files,
      loaded,
      out: args.out,
      ...(args.strict ? { strict: true } : {}),
      ...(args.retryFailed ? { retryFailed: true } : {}),
    });
    if (!args.quiet) streams.stderr.write(planText(plan));
    streams.stdout.write(`${JSON.stringify({ plan })}\n`);
    return 0;
  }
  const started = Date.now();
  const live = !args.quiet && streams.stderr.isTTY === true;
  let lastLine = 0;
  let firstFresh: { at: number; samples: number } | undefined;
  const onProgress = (progress: DatasetProgress) => {
    if (args.quiet) return;
    firstFresh ??= { at: Date.now(), samples: progress.samplesDone };
    const fresh = progress.samplesDone - firstFresh.samples;
    const elapsed = (Date.now() - firstFresh.at) / 1000;
    const eta =
      fresh > 0 && elapsed > 0
        ? ` · ETA ${duration(((progress.samplesTotal - progress.samplesDone) * elapsed) / fresh)}`
        : '';
    const used = progress.usage.promptTokens + progress.usage.completionTokens;
    const cost = progress.cost.total === null ? '' : ` · $${progress.cost.total.toFixed(2)}`;
    const text = `problems ${progress.problemsDone}/${progress.problems} (${progress.reused} reused) · samples ${progress.samplesDone}/${progress.samplesTotal} (${progress.failedSamples} failed) · judgements ${progress.judgementsDone} · requests ${progress.requests}${progress.requestsInFlight > 0 ? ` (${progress.requestsInFlight} in flight)` : ''} · tokens ${tokens(used)}${cost}${eta}`;
    if (live) streams.stderr.write(`\r${text}   `);
    else if (Date.now() - lastLine >= 10_000 || progress.problemsDone === progress.problems) {
      lastLine = Date.now();
      streams.stderr.write(`${text}\n`);
    }
  };
  const outcome = await runDataset({
    files: args.files,
    loaded,
    out: args.out,
    ...(args.strict ? { strict: true } : {}),
    ...(args.retryFailed ? { retryFailed: true } : {}),
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
    ...(args.maxRequests !== undefined ? { maxRequests: args.maxRequests } : {}),
    ...(args.maxCost !== undefined ? { maxCost: args.maxCost } : {}),
    resolveKey: environmentKeys,
    ...(signal ? { signal } : {}),
    onProgress,
    onEvent: (event) => {
      if (event.type === 'retry' && !args.quiet)
        streams.stderr.write(
          `${live ? '\n' : ''}retry ${event.attempt} in ${event.delayMs} ms: ${event.message}\n`,
        );
    },
  });
  if (live) streams.stderr.write('\n');
  if (!args.quiet) for (const line of outcome.excluded) streams.stderr.write(`excluded: ${line}\n`);
  const { total: samples, failed: failedSamples } = countSamples(outcome.index);
  streams.stdout.write(
    `${JSON.stringify({
      out: args.out,
      dataset: outcome.indexPath,
      problems: outcome.problems,
      finished: outcome.index.problems.length,
      reused: outcome.reused,
      samples,
      failedSamples,
      excluded: outcome.excluded.length,
      complete: outcome.complete,
      ...(outcome.stopped ? { stopped: outcome.stopped } : {}),
      requests: outcome.progress.requests,
      tokens: outcome.progress.usage,
      cost: outcome.progress.cost.total,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    })}\n`,
  );
  if (outcome.complete) return 0;
  return outcome.stopped === 'max-requests' || outcome.stopped === 'max-cost' ? EXIT_BUDGET : 130;
}

function planText(plan: DatasetPlan): string {
  const lines = [
    `${plan.problems} problem(s): ${plan.complete} complete, ${plan.inProgress} in progress, ${plan.excluded.length} excluded`,
  ];
  for (const [source, planned] of Object.entries(plan.bySource)) {
    const requests = planned.requests
      ? planned.requests.low === planned.requests.high
        ? count(planned.requests.low)
        : `${count(planned.requests.low)}–${count(planned.requests.high)}`
      : (planned.requestsNote ?? '?');
    const price = plan.cost.bySource[source];
    lines.push(
      `  ${source}: ${count(planned.items)} to do, requests ${requests}, tokens ${tokens(planned.tokens.promptTokens)} in + ${tokens(planned.tokens.completionTokens)} out (${planned.basis})${price === undefined ? '' : `, $${price.toFixed(2)}`}`,
    );
  }
  lines.push(
    plan.cost.total === null
      ? '  cost: no prices in the config'
      : `  cost: $${plan.cost.total.toFixed(2)}${plan.cost.unpriced.length ? ` (no price for ${plan.cost.unpriced.join(', ')})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
