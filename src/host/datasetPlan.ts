/**
 * Evaluate Dataset and the Datasets view: where datasets live, what the user is asked and told, and
 * each dataset folder's status read cheaply from disk (directory listings, the source record and
 * dataset.json; one run file only where samples failed, for the first error, cached). Pure (no
 * `vscode` import), unit-tested in Node;
 * datasetCommand.ts runs the job and datasetsView.ts shows the tree.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { type DatasetIndex, DatasetIndexSchema } from '../core/dataset.js';
import { count } from '../core/progress.js';
import { datasetFailures, type FirstFailure, failureText } from '../jobs/datasetFailures.js';
import { type PlanSummary, tokensText } from '../jobs/progressText.js';

/** The folder datasets live in, under a workspace folder. */
export const DATASETS_DIR = ['.steplens', 'datasets'] as const;

/**
 * What the command wrote beside the job's own files so the Datasets view can resume the dataset:
 * the problems file(s) relative to the workspace folder, the problem count, k and the judges.
 */
export const SOURCE_FILE = 'dataset-source.json';

/** The most samples per problem, as `steplens.policy.samples` allows. */
export const MAX_K = 1024;

export const DatasetSourceSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** Workspace-relative, `/`-separated. */
  files: z.array(z.string().min(1)).min(1),
  problems: z.number().int().min(0),
  k: z.number().int().min(1).max(MAX_K),
  judges: z.array(z.string()),
});
export type DatasetSource = z.infer<typeof DatasetSourceSchema>;

/** The k typed in the input box: undefined when fine, else why not (the box shows it). */
export function validateK(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return `a whole number of samples per problem, 1 to ${MAX_K}`;
  const k = Number(trimmed);
  return k >= 1 && k <= MAX_K ? undefined : `k must be between 1 and ${MAX_K}`;
}

/** A workspace-relative, `/`-separated path of a file inside `root`; undefined when it is outside. */
export function relativeInside(root: string, file: string): string | undefined {
  const rel = relative(resolve(root), resolve(file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/**
 * The problems files a source record names, as absolute paths inside `root`. The record sits in a
 * workspace folder a cloned repository may have written: a name that leaves the workspace (and so
 * could send any local file's text as a "problem"), or that is no problems file, is refused.
 */
export function sourceFiles(root: string, source: DatasetSource, where: string): string[] {
  return source.files.map((file) => {
    const path = resolve(root, file);
    if (isAbsolute(file) || relativeInside(root, path) === undefined)
      throw new Error(`${where}: "${file}" is not a file in this workspace folder`);
    if (!/\.(json|jsonl|md|txt)$/i.test(file))
      throw new Error(`${where}: "${file}" is not a problems file (.json, .jsonl, .md, .txt)`);
    return path;
  });
}

// ---------------------------------------------------------------------------------------------
// The plan before sending

/**
 * A dataset asking for more requests than this is confirmed first, with its estimate. 500 is about
 * a dozen Analyze runs at the default settings (8 samples, 4 critiques each, a PRM: 41 requests):
 * below it a dataset costs what a person already spends with a few clicks and no question; above
 * it (a 30-problem set at k = 4 with critiques is 600) one mistaken click could cost real money.
 */
export const CONFIRM_REQUESTS = 500;
/** A priced plan this expensive is confirmed whatever its request count (US dollars). */
export const CONFIRM_COST = 1;

/** Whether the plan is large enough to ask before sending. */
export function needsConfirm(summary: PlanSummary): boolean {
  return summary.requests.high >= CONFIRM_REQUESTS || (summary.cost ?? 0) >= CONFIRM_COST;
}

export interface DatasetSummary {
  folder: string;
  problems: number;
  finished: number;
  reused: number;
  requests: number;
  tokens: number;
  cost: number | null;
  complete: boolean;
  excluded: number;
  /** Samples of the finished problems, and how many of them failed (they never vote). */
  samples: number;
  failedSamples: number;
  /** The first failed sample's problem and error, for the message. */
  firstFailure?: FirstFailure;
}

/** The one message after a dataset run: complete, or partial and how to resume. */
export function datasetOutcomeMessage(summary: DatasetSummary): string {
  const spent = `${count(summary.requests)} request(s), ${tokensText(summary.tokens)} tokens${summary.cost === null ? '' : `, $${summary.cost.toFixed(2)}`}`;
  const excluded =
    summary.excluded > 0
      ? ` ${summary.excluded} row(s) excluded (malformed or a duplicate id): listed in dataset.json and the StepLens log.`
      : '';
  // A run whose samples failed is finished, not a success: say so before any figure is read.
  const failed =
    summary.failedSamples > 0
      ? ` ${summary.failedSamples} of ${summary.samples} sample(s) failed: they are left out of every figure; the dataset's tooltip in the StepLens Datasets view names the first error, and each problem's run every one.`
      : '';
  if (summary.complete && datasetHealth(summary) === 'all-failed') {
    const first = summary.firstFailure;
    const cause = first?.message
      ? ` First failure (problem ${first.problem}): ${failureText(first.message)}`
      : '';
    return `StepLens: dataset ${summary.folder}: every sample failed (${summary.failedSamples} of ${summary.samples}, in ${summary.finished} problem(s); ${spent}), so there is no report to show.${cause} Once the endpoint answers, click the dataset in the StepLens Datasets view to ask them again.${excluded}`;
  }
  if (summary.complete)
    return `StepLens: dataset ${summary.folder} complete: ${summary.problems} problem(s), ${summary.reused} reused (${spent}); the report is open.${failed}${excluded}`;
  return `StepLens: dataset ${summary.folder} stopped after ${summary.finished} of ${summary.problems} problem(s) (${spent}): partial, resumable. Click it in the StepLens Datasets view, or run Evaluate Dataset on the same file again: finished samples and judgements are kept, not requested again.${failed}${excluded}`;
}

// ---------------------------------------------------------------------------------------------
// The Datasets view

export type DatasetState = 'complete' | 'partial' | 'running';

export interface DatasetStatus {
  name: string;
  /** The dataset folder (absolute). */
  out: string;
  /** Run files under runs/: problems finished. */
  finished: number;
  /** Journals under runs/: problems started and not finished. */
  inProgress: number;
  /** Problems in the dataset; undefined when neither the source record nor a complete index says. */
  total: number | undefined;
  state: DatasetState;
  /** Dollars of the finished problems, from dataset.json (null: no prices). */
  cost: number | null | undefined;
  /** Failed samples of the finished problems, from dataset.json. */
  failedSamples?: number;
  /** Samples of the finished problems, from dataset.json (set with failedSamples). */
  samples?: number;
  /** Finished problems with at least one failed sample. */
  failedProblems?: number;
  /** The first failed sample's problem and error (its run file, the one read for it). */
  firstFailure?: FirstFailure;
  source: DatasetSource | undefined;
  /** Why the source record or the index could not be read, for the tooltip. */
  problemsReading: string[];
}

/** Where a dataset's failures can be read: the first problem with a failed sample and why it failed. */
/** Parsed dataset.json files, by path, while their modification time and size stay the same. */
const indexCache = new Map<string, { mtimeMs: number; size: number; index: DatasetIndex }>();

/** A dataset folder's index, checked; undefined when there is none yet. Cached by mtime and size. */
export async function readIndex(out: string): Promise<DatasetIndex | undefined> {
  const path = join(out, 'dataset.json');
  let info: { mtimeMs: number; size: number };
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  const cached = indexCache.get(path);
  if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.index;
  const index = DatasetIndexSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  indexCache.set(path, { mtimeMs: info.mtimeMs, size: info.size, index });
  return index;
}

export async function readSource(out: string): Promise<DatasetSource | undefined> {
  const path = join(out, SOURCE_FILE);
  if (!existsSync(path)) return undefined;
  return DatasetSourceSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One dataset folder's status: directory listings and two small files; one run file more when
 * samples failed (the first failure's message).
 */
export async function datasetStatus(out: string, name: string, running: boolean): Promise<DatasetStatus> {
  const problemsReading: string[] = [];
  let finished = 0;
  let inProgress = 0;
  try {
    for (const entry of await readdir(join(out, 'runs'))) {
      if (entry.endsWith('.journal.jsonl')) inProgress += 1;
      else if (entry.endsWith('.json')) finished += 1;
    }
  } catch {}
  let source: DatasetSource | undefined;
  try {
    source = await readSource(out);
  } catch (error) {
    problemsReading.push(`${SOURCE_FILE}: ${message(error)}`);
  }
  let index: DatasetIndex | undefined;
  try {
    index = await readIndex(out);
  } catch (error) {
    problemsReading.push(`dataset.json: ${message(error)}`);
  }
  const total = source?.problems ?? index?.problemsTotal;
  const complete = index?.complete === true && inProgress === 0 && (total === undefined || finished >= total);
  return {
    name,
    out,
    finished,
    inProgress,
    total,
    state: running ? 'running' : complete ? 'complete' : 'partial',
    cost: index?.cost.total,
    ...(index ? await datasetFailures(out, index) : {}),
    source,
    problemsReading,
  };
}

/** Every dataset folder under `<root>/.steplens/datasets/`, by name. */
export async function listDatasets(
  root: string,
  isRunning: (out: string) => boolean = () => false,
): Promise<DatasetStatus[]> {
  const dir = join(root, ...DATASETS_DIR);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  return Promise.all(
    names.map((name) => {
      const out = join(dir, name);
      return datasetStatus(out, name, isRunning(out));
    }),
  );
}

/**
 * What a dataset's finished samples amount to: `all-failed` (not one answer: nothing to report),
 * `some-failed` (the figures stand on fewer samples than asked), `clean`.
 */
export type DatasetHealth = 'clean' | 'some-failed' | 'all-failed';

export function datasetHealth(status: Pick<DatasetStatus, 'samples' | 'failedSamples'>): DatasetHealth {
  const failed = status.failedSamples ?? 0;
  if (failed === 0) return 'clean';
  return failed >= (status.samples ?? 0) ? 'all-failed' : 'some-failed';
}

/**
 * The tree row's description: "2/3 · partial · $0.04"; failures before "complete" can be read as
 * fine: "2/2 · every sample failed", "2/2 · complete · 37 of 128 samples failed".
 */
export function statusDescription(status: DatasetStatus): string {
  const done =
    status.total === undefined ? `${status.finished} finished` : `${status.finished}/${status.total}`;
  const cost = typeof status.cost === 'number' ? ` · $${status.cost.toFixed(2)}` : '';
  const health = datasetHealth(status);
  if (health === 'all-failed' && status.state === 'complete') return `${done} · every sample failed${cost}`;
  const failed =
    health === 'all-failed'
      ? ' · every sample so far failed'
      : health === 'some-failed'
        ? ` · ${count(status.failedSamples ?? 0)} of ${count(status.samples ?? 0)} samples failed`
        : '';
  return `${done} · ${status.state}${failed}${cost}`;
}

/** The row's icon (a codicon) and its colour (a theme colour id): failures never show a ✓. */
export function statusIcon(status: DatasetStatus): { id: string; color?: string } {
  if (status.state === 'running') return { id: 'sync~spin' };
  const health = datasetHealth(status);
  if (health === 'all-failed') return { id: 'error', color: 'problemsErrorIcon.foreground' };
  if (status.state === 'partial') return { id: 'debug-pause' };
  if (health === 'some-failed') return { id: 'warning', color: 'problemsWarningIcon.foreground' };
  return { id: 'pass' };
}

/** The failed samples in words, for the tooltip; none when no sample failed. */
export function failureLines(
  status: Pick<DatasetStatus, 'finished' | 'samples' | 'failedSamples' | 'failedProblems' | 'firstFailure'>,
): string[] {
  const health = datasetHealth(status);
  if (health === 'clean') return [];
  const failed = count(status.failedSamples ?? 0);
  const samples = count(status.samples ?? 0);
  const lines = [
    health === 'all-failed'
      ? `Every sample failed: ${failed} of ${samples} in ${status.failedProblems ?? status.finished} problem(s), so there is no answer, vote or figure to report.`
      : `${failed} of ${samples} samples failed, in ${status.failedProblems ?? '?'} of ${status.finished} problem(s): they never vote and are left out of every figure.`,
  ];
  const first = status.firstFailure;
  if (first) {
    lines.push(
      first.message === undefined
        ? `First failure: problem ${first.problem} (its run names the error).`
        : `First failure (problem ${first.problem}): ${failureText(first.message)}`,
    );
  }
  lines.push(
    'Where to look: expand the dataset; each problem says how many of its samples failed and opens its run, which shows every error.',
  );
  return lines;
}

/** What a click on the row does, in the tooltip's words. */
export function clickText(status: DatasetStatus): string {
  if (status.state === 'running') return 'Running in this window';
  if (status.state === 'partial') return 'Click: resume (finished work is kept)';
  const health = datasetHealth(status);
  if (health === 'all-failed')
    return 'Click: no report (nothing to show); offers to ask the failed samples again';
  if (health === 'some-failed') return 'Click: open the report (its figures leave the failed samples out)';
  return 'Click: open the report';
}

/** A problem row's description: samples right of those with a reference, failures. */
export function problemDescription(problem: DatasetIndex['problems'][number]): string {
  const judged = problem.samples.filter((sample) => sample.correct !== undefined);
  const right = judged.filter((sample) => sample.correct).length;
  const failed = problem.samples.filter((sample) => sample.failed).length;
  return [
    judged.length > 0
      ? `${right}/${judged.length} correct`
      : `${problem.samples.length} sample${problem.samples.length === 1 ? '' : 's'}`,
    ...(failed > 0 ? [`${failed} failed`] : []),
  ].join(' · ');
}

/** A folder Evaluate Judges wrote (its evaluation.json), not a dataset run's (dataset.json). */
export function isJudgeEvaluation(folder: string): boolean {
  return !existsSync(join(folder, 'dataset.json')) && existsSync(join(folder, 'evaluation.json'));
}
