/** `steplens analyze` and `steplens rescore`: the pipeline against real endpoints, from a shell. */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type Problem, parseProblemFile } from '../core/problems.js';
import type { Run } from '../core/schemas.js';
import { loadConfig } from '../io/configFile.js';
import { readTextFile } from '../io/files.js';
import { pathInside } from '../io/paths.js';
import { RUNS_DIR, readRun, writeRun } from '../io/runFiles.js';
import { environmentKeys } from '../llm/judges.js';
import { analyze, type PipelineEvent, rescore } from '../llm/pipeline.js';
import { UsageError } from './io.js';

export function pickProblem(file: string, problems: Problem[], row: string | undefined): Problem {
  if (row === undefined) {
    if (problems.length === 1) return problems[0]!;
    const ids = problems.slice(0, 5).map((problem) => problem.id);
    throw new UsageError(
      `${file} holds ${problems.length} problems; choose one with --row ID or row number (ids: ${ids.join(', ')}${problems.length > 5 ? ', …' : ''})`,
    );
  }
  const found =
    problems.find((problem) => problem.id === row) ??
    problems.find((problem) => /^\d+$/.test(row) && problem.source.row === Number(row));
  if (!found) throw new UsageError(`${file} has no problem with id or row "${row}"`);
  return found;
}

/** A live status line on a terminal; nothing on a pipe, where it would only be noise. */
function progressReporter(stderr: NodeJS.WritableStream & { isTTY?: boolean }, quiet: boolean) {
  let sampled = '';
  let judged = '';
  let last = 0;
  const live = !quiet && stderr.isTTY === true;
  return {
    onEvent(event: PipelineEvent) {
      if (event.type === 'sampled') sampled = `sampled ${event.done}/${event.total}`;
      else if (event.type === 'judged') judged = `judged ${event.done}/${event.total}`;
      else if (event.type === 'retry' && !quiet) {
        stderr.write(`${live ? '\n' : ''}retry ${event.attempt} in ${event.delayMs} ms: ${event.message}\n`);
      }
      const nowMs = Date.now();
      if (live && nowMs - last > 100) {
        last = nowMs;
        stderr.write(`\r${[sampled, judged].filter(Boolean).join(' · ')}   `);
      }
    },
    end() {
      if (live) stderr.write('\n');
    },
  };
}

export interface AnalyzeArgs {
  file: string;
  config: string;
  row?: string;
  out?: string;
  existingSteps: boolean;
  quiet: boolean;
}

function summary(path: string, run: Run): string {
  return `${JSON.stringify({
    run: path,
    samples: run.samples.length,
    failedSamples: run.samples.filter((sample) => sample.error).length,
    judges: run.judges.map((judge) => judge.id),
    status: run.status,
  })}\n`;
}

/** Cancel on Ctrl-C: the partial run is still written, marked cancelled. */
export function interruptible(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function exitCode(run: Run): number {
  if (run.status === 'cancelled') return 130;
  const failed = run.samples.filter((sample) => sample.error).length;
  return run.samples.length > 0 && failed === run.samples.length ? 1 : 0;
}

type Streams = { stdout: Writable; stderr: NodeJS.WritableStream };

/** Shared by analyze and rescore: live progress, Ctrl-C as cancel, the run written, one summary line. */
async function runPipelineCommand(
  streams: Streams,
  quiet: boolean,
  pathFor: (run: Run) => string,
  work: (options: { signal: AbortSignal; onEvent: (event: PipelineEvent) => void }) => Promise<Run>,
): Promise<number> {
  const progress = progressReporter(streams.stderr, quiet);
  const { signal, dispose } = interruptible();
  try {
    const run = await work({ signal, onEvent: progress.onEvent });
    progress.end();
    const path = resolve(pathFor(run));
    await writeRun(path, run);
    streams.stdout.write(summary(path, run));
    return exitCode(run);
  } finally {
    dispose();
  }
}

export async function runAnalyze(args: AnalyzeArgs, streams: Streams): Promise<number> {
  const { config, templates } = await loadConfig(args.config);
  const problem = pickProblem(
    args.file,
    parseProblemFile(args.file, await readTextFile(args.file)),
    args.row,
  );
  if (args.existingSteps && !problem.steps?.length) {
    throw new UsageError(
      `problem "${problem.id}" carries no steps to score; drop --existing-steps to sample`,
    );
  }
  return runPipelineCommand(
    streams,
    args.quiet,
    (run) => args.out ?? pathInside(RUNS_DIR, `${run.id}.json`),
    (options) =>
      analyze(problem, {
        config,
        templates,
        resolveKey: environmentKeys,
        existingSteps: args.existingSteps,
        ...options,
      }),
  );
}

export async function runRescore(
  args: { run: string; config: string; out?: string; quiet: boolean },
  streams: Streams,
): Promise<number> {
  const { config, templates } = await loadConfig(args.config);
  const existing = await readRun(args.run);
  return runPipelineCommand(
    streams,
    args.quiet,
    () => args.out ?? args.run,
    (options) => rescore(existing, { config, templates, resolveKey: environmentKeys, ...options }),
  );
}
