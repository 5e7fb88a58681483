/**
 * `steplens evaluate FILE… --config CFG --out DIR`: every step-labelled row (ProcessBench,
 * PRM800K, StepLens's own exported audits) scored as it is by Self-PRM and each PRM, then
 * ProcessBench F1 per judge and subset. One run file per row under DIR/runs/ (any row opens in the
 * panel); rerunning the same command reuses every finished row and requests only the rest.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type RunConfig, withoutCredentials } from '../core/config.js';
import {
  type EvaluationReport,
  evaluationMarkdown,
  evaluationReport,
  judgeOutcome,
  type RowResult,
} from '../core/evaluation.js';
import { markdownCell } from '../core/export.js';
import { datasetLabels } from '../core/gold.js';
import { SafeIdSchema } from '../core/ids.js';
import { type Problem, parseProblemFile } from '../core/problems.js';
import { subsetOf } from '../core/processbench.js';
import type { JudgeInfo, Run } from '../core/schemas.js';
import { readTextFile, writeFileAtomic } from '../io/files.js';
import { pathInside } from '../io/paths.js';
import { readRun, writeRun } from '../io/runFiles.js';
import { environmentKeys } from '../llm/judges.js';
import { analyze } from '../llm/pipeline.js';
import { readConfig } from './analyze.js';
import { UsageError } from './io.js';

export interface EvaluateArgs {
  files: string[];
  config: string;
  out: string;
  /** The subset a PRM's best τ is chosen on (ProcessBench: gsm8k). */
  tauSubset: string;
  /** Rows judged at once; default the policy endpoint's concurrency. */
  concurrency?: number;
  quiet: boolean;
}

type Streams = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } };

interface Row {
  problem: Problem & { steps: string[]; humanFirstError: number };
  subset: string;
  key: string;
}

/** An id from a file as one file name: itself when already safe, else a readable part and a hash. */
export function fileNameFor(id: string): string {
  if (SafeIdSchema.safeParse(id).success) return id;
  const readable = id
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 60);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  return `${readable || 'row'}-${hash}`;
}

const SETTINGS_FILE = 'evaluation.json';

/** The config a folder's results were made with: a rerun with another one would mix incomparable rows. */
async function claimFolder(out: string, config: RunConfig): Promise<void> {
  const path = join(out, SETTINGS_FILE);
  const settings = JSON.stringify({ schemaVersion: 1, config: withoutCredentials(config) }, null, 1);
  if (existsSync(path)) {
    const before = await readTextFile(path);
    if (before.trim() !== settings.trim())
      throw new UsageError(
        `${out} holds an evaluation made with another config (${path}); its rows would not be comparable: choose another --out, or delete the folder to start over`,
      );
    return;
  }
  await mkdir(out, { recursive: true });
  await writeFileAtomic(path, `${settings}\n`);
}

async function readRows(files: readonly string[]): Promise<{ rows: Row[]; skipped: string[] }> {
  const rows: Row[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (const problem of parseProblemFile(file, await readTextFile(file))) {
      const where = `${file}${problem.source.row ? `:${problem.source.row}` : ''} (${problem.id})`;
      if (!problem.steps?.length || problem.humanFirstError === undefined) {
        skipped.push(`${where}: ${problem.steps?.length ? 'no first-error label' : 'no steps of its own'}`);
        continue;
      }
      const subset = subsetOf({ id: problem.id }, basename(file));
      const key = `${subset}/${problem.id}`;
      if (seen.has(key)) {
        skipped.push(`${where}: the id "${problem.id}" appears twice in subset ${subset}; the first is kept`);
        continue;
      }
      seen.add(key);
      rows.push({ problem: problem as Row['problem'], subset, key });
    }
  }
  return { rows, skipped };
}

/** A finished run of this very row (its steps and label), or undefined to judge it again. */
async function finishedRun(path: string, row: Row): Promise<Run | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const run = await readRun(path);
    const sample = run.samples[0];
    // The same steps (gold.ts's rule for "this row's own solution") and the same label.
    const same =
      run.status === 'complete' &&
      sample !== undefined &&
      datasetLabels(row.problem, sample) !== undefined &&
      run.problem.humanFirstError === row.problem.humanFirstError;
    return same ? run : undefined;
  } catch {
    // A run file torn by a kill is judged again.
    return undefined;
  }
}

function progressLine(stderr: Streams['stderr'], quiet: boolean, total: number) {
  const started = Date.now();
  const live = !quiet && stderr.isTTY === true;
  let lastLine = 0;
  return (done: number, reused: number, failed: number) => {
    if (quiet) return;
    const elapsed = (Date.now() - started) / 1000;
    const fresh = done - reused;
    const rate = fresh > 0 ? fresh / elapsed : 0;
    const eta = rate > 0 ? Math.round((total - done) / rate) : null;
    const text = `rows ${done}/${total} (${reused} reused, ${failed} with a failed judge)${eta === null ? '' : ` · ETA ${eta}s`}`;
    if (live) stderr.write(`\r${text}   `);
    else if (Date.now() - lastLine >= 10_000 || done === total) {
      lastLine = Date.now();
      stderr.write(`${text}\n`);
    }
  };
}

export async function runEvaluate(
  args: EvaluateArgs,
  streams: Streams,
  signal?: AbortSignal,
): Promise<number> {
  const config = await readConfig(args.config);
  const { rows, skipped } = await readRows(args.files);
  if (rows.length === 0)
    throw new UsageError(`no row with steps and a first-error label in ${args.files.join(', ')}`);
  await claimFolder(args.out, config);
  const runsDir = join(args.out, 'runs');

  const results = new Map<string, RowResult>();
  let judges: readonly JudgeInfo[] = [];
  let reused = 0;
  let withFailure = 0;
  let next = 0;
  const report = progressLine(streams.stderr, args.quiet, rows.length);
  const worker = async () => {
    while (next < rows.length && !signal?.aborted) {
      const row = rows[next++]!;
      const folder = pathInside(runsDir, fileNameFor(row.subset));
      const path = pathInside(folder, `${fileNameFor(row.problem.id)}.json`);
      let run = await finishedRun(path, row);
      if (run) reused += 1;
      else {
        run = await analyze(row.problem, {
          config,
          resolveKey: environmentKeys,
          existingSteps: true,
          ...(signal ? { signal } : {}),
        });
        // A row cut by a cancel is not kept: the next run judges it whole.
        if (run.status !== 'complete') return;
        await mkdir(folder, { recursive: true });
        await writeRun(path, run);
      }
      if (judges.length === 0) judges = run.judges;
      const outcomes = Object.fromEntries(run.judges.map((judge) => [judge.id, judgeOutcome(run!, judge)]));
      if (Object.values(outcomes).some((outcome) => outcome.failed)) withFailure += 1;
      results.set(row.key, {
        id: row.problem.id,
        subset: row.subset,
        label: row.problem.humanFirstError,
        judges: outcomes,
      });
      report(results.size, reused, withFailure);
    }
  };
  const concurrency = Math.max(1, args.concurrency ?? config.policy.concurrency);
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  if (!args.quiet && streams.stderr.isTTY) streams.stderr.write('\n');

  const done = rows
    .map((row) => results.get(row.key))
    .filter((result): result is RowResult => result !== undefined);
  const evaluation: EvaluationReport & { complete: boolean; skipped: string[] } = {
    ...evaluationReport(done, { protocol: 'steplens', judges, config, tauSubset: args.tauSubset }),
    complete: done.length === rows.length,
    skipped,
  };
  await writeFileAtomic(
    join(args.out, 'results.jsonl'),
    done.map((result) => `${JSON.stringify(result)}\n`).join(''),
  );
  await writeFileAtomic(join(args.out, 'report.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
  const partial = evaluation.complete
    ? ''
    : `**Partial: ${done.length} of ${rows.length} rows; rerun the same command to finish.**\n\n`;
  const skippedNote =
    skipped.length > 0
      ? `\n${skipped.length} row(s) skipped (no steps or no first-error label); report.json lists them.\n`
      : '';
  await writeFileAtomic(
    join(args.out, 'report.md'),
    `${partial}${evaluationMarkdown(evaluation, markdownCell)}${skippedNote}`,
  );
  streams.stdout.write(
    `${JSON.stringify({ out: args.out, rows: rows.length, judged: done.length - reused, reused, skipped: skipped.length, complete: evaluation.complete })}\n`,
  );
  return evaluation.complete ? 0 : 130;
}
