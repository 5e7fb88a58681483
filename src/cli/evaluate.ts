/** `steplens evaluate FILE… --config CFG --out DIR`: the judge evaluation (src/jobs/evaluate.ts) from a shell. */
import { duration, rowsEtaSeconds } from '../core/progress.js';
import { loadConfig } from '../io/configFile.js';
import { type EvaluateProgress, evaluateDataset } from '../jobs/evaluate.js';
import { environmentKeys } from '../llm/judges.js';
import type { PipelineEvent } from '../llm/pipeline.js';

export interface EvaluateArgs {
  files: string[];
  config: string;
  out: string;
  /** The subset a PRM's best τ is chosen on (ProcessBench: gsm8k). */
  tauSubset: string;
  /** Rows judged at once; default enough to keep every endpoint busy. */
  concurrency?: number;
  quiet: boolean;
}

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
