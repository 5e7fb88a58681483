/**
 * `steplens evaluate FILE… --config CFG --out DIR` from a shell; the rows decide what it does:
 * step-labelled rows get the judge evaluation (src/jobs/evaluate.ts), problems a dataset run
 * (src/jobs/dataset.ts).
 */

import type { DatasetIndex } from '../core/dataset.js';
import { countSamples } from '../core/datasetReport.js';
import { count } from '../core/progress.js';
import { loadConfig } from '../io/configFile.js';
import { type DatasetProgress, planDataset, rowsKind, runDataset } from '../jobs/dataset.js';
import { datasetFailures, failureText } from '../jobs/datasetFailures.js';
import { evaluateDataset } from '../jobs/evaluate.js';
import {
  datasetProgressLine,
  planSourceLines,
  planText,
  rowsProgressLine,
  samplesEta,
} from '../jobs/progressText.js';
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

/**
 * The job's progress line (src/jobs/progressText.ts, the same words as VS Code's notification):
 * live on a terminal; on a pipe, a plain line every 10 s and the last one. Retries are said as
 * they happen.
 */
function progressPrinter(stderr: Streams['stderr'], quiet: boolean) {
  const live = !quiet && stderr.isTTY === true;
  let lastLine = 0;
  return {
    line(text: string, last: boolean) {
      if (quiet) return;
      if (live) stderr.write(`\r${text}   `);
      else if (Date.now() - lastLine >= 10_000 || last) {
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
  const started = Date.now();
  const outcome = await evaluateDataset({
    files: args.files,
    loaded,
    out: args.out,
    tauSubset: args.tauSubset,
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
    resolveKey: environmentKeys,
    ...(signal ? { signal } : {}),
    onProgress: (progress) =>
      printer.line(
        rowsProgressLine(progress, (Date.now() - started) / 1000),
        progress.done === progress.total,
      ),
    onEvent: printer.event,
  });
  printer.end();
  streams.stdout.write(
    `${JSON.stringify({ out: args.out, rows: outcome.rows, judged: outcome.judged, reused: outcome.reused, skipped: outcome.skipped.length, complete: outcome.complete })}\n`,
  );
  return outcome.complete ? 0 : 130;
}

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
    if (!args.quiet) streams.stderr.write(`${planText(plan)}\n${planSourceLines(plan)}\n`);
    streams.stdout.write(`${JSON.stringify({ plan })}\n`);
    return 0;
  }
  const started = Date.now();
  const printer = progressPrinter(streams.stderr, args.quiet);
  let firstFresh: { at: number; samples: number } | undefined;
  const onProgress = (progress: DatasetProgress) => {
    const at = Date.now();
    firstFresh ??= { at, samples: progress.samplesDone };
    const eta = samplesEta(firstFresh, { at, samples: progress.samplesDone, total: progress.samplesTotal });
    printer.line(datasetProgressLine(progress, eta), progress.problemsDone === progress.problems);
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
    onEvent: printer.event,
  });
  printer.end();
  if (!args.quiet) for (const line of outcome.excluded) streams.stderr.write(`excluded: ${line}\n`);
  const { total: samples, failed: failedSamples } = countSamples(outcome.index);
  if (!args.quiet && failedSamples > 0) streams.stderr.write(await failuresText(args.out, outcome.index));
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

/** Failed samples, said where the shell's user sees them: how many, the first one's cause, how to ask again. */
async function failuresText(out: string, index: DatasetIndex): Promise<string> {
  const failures = await datasetFailures(out, index);
  const first = failures.firstFailure;
  return [
    `${count(failures.failedSamples)} of ${count(failures.samples)} samples failed, in ${count(failures.failedProblems)} problem(s): they never vote and are left out of every figure.`,
    ...(first
      ? [
          first.message === undefined
            ? `First failure: problem ${first.problem} (its run file names the error).`
            : `First failure (problem ${first.problem}): ${failureText(first.message)}`,
        ]
      : []),
    'Run the same command with --retry-failed to ask them again (everything else is reused).',
    '',
  ].join('\n');
}
