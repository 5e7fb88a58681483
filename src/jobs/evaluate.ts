/**
 * Judging a step-labelled dataset (ProcessBench, PRM800K, StepLens's own exported audits) as it is:
 * every row's own steps scored by Self-PRM and each PRM, then ProcessBench F1 per judge and subset.
 * One run file per row under DIR/runs/<subset>/ (any row opens in the panel); rerunning the same job
 * reuses every finished row and requests only the rest. Shared by the CLI and the extension.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { judgingPrm, type RunConfig, withoutCredentials } from '../core/config.js';
import { IncomparableFolderError, InputError } from '../core/errors.js';
import {
  type EvaluationReport,
  evaluationMarkdown,
  evaluationReport,
  judgeOutcome,
  type RowResult,
} from '../core/evaluation.js';
import { markdownCell } from '../core/export.js';
import { datasetLabels } from '../core/gold.js';
import { judgeThreshold } from '../core/judgements.js';
import { type Problem, problemFromJsonLine, problemRows } from '../core/problems.js';
import { subsetOf } from '../core/processbench.js';
import type { JudgeInfo, Run } from '../core/schemas.js';
import { type Utf8Line, Utf8LineSplitter } from '../core/text.js';
import type { LoadedConfig } from '../io/configFile.js';
import { fileError, readTextFile, writeFileAtomic } from '../io/files.js';
import { fileNameFor, pathInside } from '../io/paths.js';
import { readRun, writeRun } from '../io/runFiles.js';
import type { EndpointTuning, KeyResolver } from '../llm/judges.js';
import { analyze, createEndpoints, type PipelineEvent } from '../llm/pipeline.js';
import { evaluationReportHtml } from '../reportHtml.js';

export interface EvaluateProgress {
  /** Rows with a result (judged now or reused). */
  done: number;
  total: number;
  reused: number;
  /** Rows where at least one judge failed (each such row is a miss for that judge). */
  withFailure: number;
}

export interface EvaluateJob {
  files: readonly string[];
  loaded: LoadedConfig;
  out: string;
  /** The subset a PRM's best τ is chosen on (ProcessBench: gsm8k). */
  tauSubset: string;
  /** Rows judged at once; default enough to keep every endpoint's concurrency busy. */
  concurrency?: number;
  resolveKey: KeyResolver;
  tuning?: EndpointTuning;
  signal?: AbortSignal;
  onProgress?: (progress: EvaluateProgress) => void;
  /** Retries and other pipeline events of every row. */
  onEvent?: (event: PipelineEvent) => void;
}

export interface EvaluateOutcome {
  rows: number;
  /** Rows judged by this job (the rest were reused from earlier runs of it). */
  judged: number;
  reused: number;
  /** Rows where at least one judge failed (a miss for that judge, counted in its figures). */
  withFailure: number;
  /** Rows left out, each with file, row and why. */
  skipped: string[];
  complete: boolean;
  report: EvaluationReport;
  reportPath: string;
  markdownPath: string;
}

interface Row {
  problem: Problem & { steps: string[]; humanFirstError: number };
  subset: string;
  key: string;
}

const SETTINGS_FILE = 'evaluation.json';

/**
 * What decides a folder's judgements: the judges, their models, prompts and sampling, the step
 * splitting. Where requests go and how they are paced (URLs, keys, concurrency, timeouts, retries,
 * batch sizes) does not, and neither does τ or the aggregation, which the report applies afresh to
 * the stored scores: a rerun may change those and keep every finished row.
 */
export function comparableSettings(config: RunConfig): unknown {
  const { policy, prms, threshold: _threshold, aggregate: _aggregate, ...rest } = withoutCredentials(config);
  return {
    ...rest,
    policy: { model: policy.model },
    prms: prms.map(judgingPrm),
  };
}

/** The settings a folder's results were made with: a rerun with others would mix incomparable rows. */
async function claimFolder(out: string, loaded: LoadedConfig): Promise<void> {
  const path = join(out, SETTINGS_FILE);
  const settings = JSON.stringify(
    { schemaVersion: 2, judging: comparableSettings(loaded.config), templates: loaded.templateHashes },
    null,
    1,
  );
  if (existsSync(path)) {
    const before = await readTextFile(path);
    if (before.trim() !== settings.trim())
      throw new IncomparableFolderError(
        { file: path },
        'this folder holds an evaluation made with other judges, prompts or templates; its rows would not be comparable: choose another output folder, or delete this one to start over',
      );
    return;
  }
  await mkdir(out, { recursive: true });
  await writeFileAtomic(path, `${settings}\n`);
}

/**
 * A JSONL file read as a stream, a line at a time: only the line being read is held. For a file
 * already read whole and found sound (the counting pass); a file changed since fails here.
 */
async function* streamedJsonLines(file: string): AsyncGenerator<Problem> {
  const splitter = new Utf8LineSplitter();
  const problem = (line: Utf8Line) => {
    if (line.text === undefined) throw new InputError({ file }, `invalid UTF-8 at byte ${line.invalidAt}`);
    return problemFromJsonLine(file, line.text, line.line);
  };
  let chunks: AsyncIterable<Buffer>;
  try {
    chunks = createReadStream(file);
  } catch (error) {
    throw fileError(file, error, 'read');
  }
  try {
    for await (const chunk of chunks)
      for (const line of splitter.push(chunk)) {
        const row = problem(line);
        if (row) yield row;
      }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fileError(file, error, 'read');
  }
  for (const line of splitter.end()) {
    const row = problem(line);
    if (row) yield row;
  }
}

/**
 * The dataset's rows in order, one file at a time. Streamed (the judging pass), a JSONL file is
 * read a line at a time, so nothing but a JSON file being read is held; otherwise each file is
 * read whole and checked. A row that cannot be judged is reported to `skip` and left out.
 */
async function* datasetRows(
  files: readonly string[],
  skip: (why: string) => void,
  streamed: boolean,
): AsyncGenerator<Row & { ordinal: number }> {
  const seen = new Set<string>();
  let ordinal = 0;
  for (const file of files) {
    const problems =
      streamed && /\.jsonl$/i.test(file)
        ? streamedJsonLines(file)
        : problemRows(file, await readTextFile(file));
    for await (const problem of problems) {
      const where = `${file}${problem.source.row ? `:${problem.source.row}` : ''} (${problem.id})`;
      if (!problem.steps?.length || problem.humanFirstError === undefined) {
        skip(`${where}: ${problem.steps?.length ? 'no first-error label' : 'no steps of its own'}`);
        continue;
      }
      const subset = subsetOf({ id: problem.id }, basename(file));
      const key = `${subset}/${problem.id}`;
      if (seen.has(key)) {
        skip(`${where}: the id "${problem.id}" appears twice in subset ${subset}; the first is kept`);
        continue;
      }
      seen.add(key);
      yield { problem: problem as Row['problem'], subset, key, ordinal: ordinal++ };
    }
  }
}

/** A first pass over the dataset: how many rows it has, and which are skipped (and why). */
async function countRows(files: readonly string[]): Promise<{ total: number; skipped: string[] }> {
  const skipped: string[] = [];
  let total = 0;
  for await (const _row of datasetRows(files, (why) => skipped.push(why), false)) total += 1;
  return { total, skipped };
}

/** A finished run of this very row (its steps and label), or undefined to judge it again. */
async function finishedRun(path: string, row: Row): Promise<Run | undefined> {
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

/**
 * Rows in flight: enough that every endpoint can fill its concurrency (a PRM its batches too), so
 * the slowest endpoint, not the row loop, bounds the wall time. Twice that: a row keeps its place
 * after its request to the busiest endpoint (waiting for the other judges, writing its run file),
 * and with only as many rows as that endpoint's slots, each slot idles meanwhile (3,400-row bench,
 * policy concurrency 16 and 16 rows in flight: 1.4–1.5× the latency-bound ideal).
 */
export function defaultRowsInFlight(config: RunConfig): number {
  const prmDemand = config.prms.map((prm) => prm.concurrency * ('batchSize' in prm ? prm.batchSize : 1));
  return 2 * Math.max(config.policy.concurrency, ...prmDemand);
}

export async function evaluateDataset(job: EvaluateJob): Promise<EvaluateOutcome> {
  const { config, templates } = job.loaded;
  // Counted first (the progress and the report need the total, and bad input is refused before
  // any request), then read again while judging: the rows are never all in memory.
  const { total, skipped } = await countRows(job.files);
  if (total === 0)
    throw new InputError(
      { file: job.files.join(', ') },
      'no row with steps and a first-error label (ProcessBench "steps" and "label", PRM800K ratings)',
    );
  await claimFolder(job.out, job.loaded);
  const runsDir = join(job.out, 'runs');
  const endpoints = createEndpoints({
    config,
    templates,
    resolveKey: job.resolveKey,
    ...(job.tuning ? { tuning: job.tuning } : {}),
    ...(job.onEvent ? { onEvent: job.onEvent } : {}),
  });
  const judges: readonly JudgeInfo[] = endpoints.judges.map((judge) => judge.info);
  const thresholds = Object.fromEntries(judges.map((judge) => [judge.id, judgeThreshold(config, judge.id)]));

  // Each subset's folder is listed once: a run file is read only where one exists.
  const listings = new Map<string, Promise<Set<string>>>();
  const filesIn = (folder: string) => {
    let listing = listings.get(folder);
    if (!listing) {
      listing = readdir(folder).then(
        (names) => new Set(names),
        () => new Set<string>(),
      );
      listings.set(folder, listing);
    }
    return listing;
  };

  // What is held per row: its result (a few numbers per judge), in dataset order.
  const results: (RowResult | undefined)[] = new Array(total);
  let finished = 0;
  let reused = 0;
  let withFailure = 0;
  const rows = datasetRows(job.files, () => {}, true);
  const worker = async () => {
    while (!job.signal?.aborted) {
      const next = await rows.next();
      if (next.done) return;
      const row = next.value;
      const folder = pathInside(runsDir, fileNameFor(row.subset));
      const name = `${fileNameFor(row.problem.id)}.json`;
      const path = pathInside(folder, name);
      let run = (await filesIn(folder)).has(name) ? await finishedRun(path, row) : undefined;
      if (run) reused += 1;
      else {
        run = await analyze(row.problem, {
          config,
          templates,
          resolveKey: job.resolveKey,
          endpoints,
          existingSteps: true,
          ...(job.onEvent ? { onEvent: job.onEvent } : {}),
          ...(job.signal ? { signal: job.signal } : {}),
        });
        // A row cut by a cancel is not kept: the next run judges it whole.
        if (run.status !== 'complete') return;
        // analyze's run is RunSchema's output already. Not synced: a file a machine crash empties
        // or loses is read as unfinished on the next run (finishedRun) and judged again.
        await writeRun(path, run, { validated: true, sync: false });
      }
      const judged = run;
      const outcomes = Object.fromEntries(
        judges.map((judge) => [judge.id, judgeOutcome(judged, judge, thresholds[judge.id]!)]),
      );
      if (Object.values(outcomes).some((outcome) => outcome.failed)) withFailure += 1;
      results[row.ordinal] = {
        id: row.problem.id,
        subset: row.subset,
        label: row.problem.humanFirstError,
        judges: outcomes,
      };
      finished += 1;
      job.onProgress?.({ done: finished, total, reused, withFailure });
    }
  };
  const inFlight = Math.max(1, job.concurrency ?? defaultRowsInFlight(config));
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));

  const done = results.filter((result): result is RowResult => result !== undefined);
  const complete = done.length === total;
  const report: EvaluationReport & { complete: boolean; skipped: string[] } = {
    ...evaluationReport(done, { protocol: config.protocol, judges, config, tauSubset: job.tauSubset }),
    complete,
    skipped,
  };
  await writeFileAtomic(
    join(job.out, 'results.jsonl'),
    done.map((result) => `${JSON.stringify(result)}\n`).join(''),
  );
  const reportPath = join(job.out, 'report.json');
  const markdownPath = join(job.out, 'report.md');
  await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  const partial = complete
    ? ''
    : `**Partial: ${done.length} of ${total} rows; run the same evaluation again to finish.**\n\n`;
  const skippedNote =
    skipped.length > 0
      ? `\n${skipped.length} row(s) skipped (no steps or no first-error label); report.json lists them.\n`
      : '';
  await writeFileAtomic(markdownPath, `${partial}${evaluationMarkdown(report, markdownCell)}${skippedNote}`);
  await writeFileAtomic(
    join(job.out, 'report.html'),
    evaluationReportHtml(
      report,
      complete
        ? undefined
        : `Partial: ${done.length} of ${total} rows; run the same evaluation again to finish.`,
    ),
  );
  return {
    rows: total,
    judged: done.length - reused,
    reused,
    withFailure,
    skipped,
    complete,
    report,
    reportPath,
    markdownPath,
  };
}
