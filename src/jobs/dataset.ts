/**
 * A dataset run: k samples for every problem of a benchmark, each judged by Self-PRM and every PRM
 * the moment it arrives, answers checked against the reference. One run file per problem under
 * DIR/runs/ (the panel opens it), a compact index DIR/dataset.json for the report. Killed at any
 * moment and rerun, it continues: every finished sample and judgement is in the problem's journal,
 * so at most the requests in flight are made again. Shared by the CLI and the extension.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { answersEquivalent } from '../core/answers.js';
import { judgingPrm, type RunConfig, withoutCredentials } from '../core/config.js';
import { type CostFigure, costOf, pricesBySource, SAMPLING } from '../core/cost.js';
import {
  DATASET_SCHEMA_VERSION,
  type DatasetIndex,
  DatasetIndexSchema,
  type DatasetProblem,
  datasetProblem,
  datasetUsage,
  sumUsage,
  type Usage,
} from '../core/dataset.js';
import {
  type DatasetReport,
  DatasetReportSchema,
  datasetReport,
  datasetReportMarkdown,
  type ReportOptions,
} from '../core/datasetReport.js';
import { IncomparableFolderError, InputError, inputErrorFromZod, jsonInputError } from '../core/errors.js';
import { markdownCell } from '../core/export.js';
import { parseJson } from '../core/json.js';
import { judgeThreshold } from '../core/judgements.js';
import { type Problem, parseProblemFile } from '../core/problems.js';
import { subsetOf } from '../core/processbench.js';
import { rerank } from '../core/rerank.js';
import type { JudgeInfo, Run } from '../core/schemas.js';
import type { LoadedConfig } from '../io/configFile.js';
import { readTextFile, writeFileAtomic } from '../io/files.js';
import { fileNameFor, pathInside } from '../io/paths.js';
import { readRun, writeRun } from '../io/runFiles.js';
import { JournalWriter, readJournal, removeJournal } from '../io/runJournal.js';
import type { EndpointTuning, KeyResolver } from '../llm/judges.js';
import { rankRequests } from '../llm/limiter.js';
import { analyze, createEndpoints, type PipelineEvent } from '../llm/pipeline.js';
import { linkCancel } from '../llm/retry.js';
import { datasetReportHtml, folderName } from '../reportHtml.js';

export interface DatasetProgress {
  problemsDone: number;
  problems: number;
  /** Problems taken whole from earlier runs of this job. */
  reused: number;
  samplesDone: number;
  samplesTotal: number;
  judgementsDone: number;
  failedSamples: number;
  /** Tokens of every request this job made (reused work not included), in total and by source. */
  usage: Usage;
  usageBySource: Record<string, Usage>;
  /** What those tokens cost at the config's prices. */
  cost: CostFigure;
  /** Request attempts this job sent (retries included). */
  requests: number;
  /** Of those, the ones not answered yet when the progress was reported. */
  requestsInFlight: number;
}

/** Why a job stopped before finishing. */
export type StopReason = 'cancelled' | 'max-requests' | 'max-cost';

export interface DatasetJob {
  files: readonly string[];
  loaded: LoadedConfig;
  out: string;
  /** Fail on the first malformed row instead of skipping it (counted) and running the rest. */
  strict?: boolean;
  /** Request again the samples and judgements that failed before, instead of keeping them. */
  retryFailed?: boolean;
  /** Problems in flight; default enough to keep the policy endpoint busy. */
  concurrency?: number;
  resolveKey: KeyResolver;
  tuning?: EndpointTuning;
  signal?: AbortSignal;
  onProgress?: (progress: DatasetProgress) => void;
  onEvent?: (event: PipelineEvent) => void;
  /** How the report written at the end is estimated (subsets, seed, difficulty). */
  report?: ReportOptions;
  /** While running, rewrite dataset.json and the report at most this often (default 15 s). */
  snapshotEveryMs?: number;
  /** Send at most this many requests (attempts), then stop as a cancel does: resumable. */
  maxRequests?: number;
  /**
   * Stop once the tokens used cost this many dollars (at the config's prices): resumable. Usage is
   * known when a request ends, so requests in flight then may add to it; they are cancelled.
   */
  maxCost?: number;
}

export interface DatasetOutcome {
  problems: number;
  reused: number;
  complete: boolean;
  /** Set when the job stopped before finishing. */
  stopped?: StopReason;
  progress: DatasetProgress;
  excluded: string[];
  /** Journal lines a kill had torn: their work was done again. */
  unreadableJournalLines: number;
  /** Problems whose journal was written for another text of the problem: started afresh. */
  discardedJournals: string[];
  indexPath: string;
  index: DatasetIndex;
}

export interface Entry {
  problem: Problem;
  subset: string;
  runPath: string;
  journalPath: string;
}

const SETTINGS_FILE = 'dataset-settings.json';

/**
 * What decides a dataset's samples and judgements: the policy model and its sampling, the judges,
 * their models and prompts, the step splitting. Where requests go and how they are paced does not,
 * nor τ or the aggregation (the index reads the stored scores afresh).
 */
export function datasetSettings(config: RunConfig, templateHashes: Record<string, string>): unknown {
  const { policy, prms, threshold: _t, aggregate: _a, ...rest } = withoutCredentials(config);
  return {
    schemaVersion: 1,
    ...rest,
    policy: {
      model: policy.model,
      n: policy.n,
      temperature: policy.temperature,
      topP: policy.topP,
      maxTokens: policy.maxTokens,
    },
    prms: prms.map(judgingPrm),
    templates: templateHashes,
  };
}

export async function claimFolder(out: string, loaded: LoadedConfig): Promise<void> {
  const path = join(out, SETTINGS_FILE);
  const settings = `${JSON.stringify(datasetSettings(loaded.config, loaded.templateHashes), null, 1)}\n`;
  if (existsSync(path)) {
    if ((await readTextFile(path)).trim() !== settings.trim())
      throw new IncomparableFolderError(
        { file: path },
        'this dataset was sampled and judged with another policy, sampling, judges, prompts or templates; mixing them would make its figures meaningless: choose another output folder, or delete this one to start over',
      );
    return;
  }
  await mkdir(join(out, 'runs'), { recursive: true });
  await writeFileAtomic(path, settings);
}

export async function readProblems(
  files: readonly string[],
  runsDir: string,
  strict: boolean,
): Promise<{ entries: Entry[]; excluded: string[] }> {
  const entries: Entry[] = [];
  const excluded: string[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const problems = parseProblemFile(
      file,
      await readTextFile(file),
      strict ? {} : { onBadRow: (error) => excluded.push(`${error.message} (row skipped)`) },
    );
    for (const problem of problems) {
      const where = `${file}${problem.source.row ? `:${problem.source.row}` : ''}`;
      const name = fileNameFor(problem.id);
      // "P1" and "p1" would share one file where file names ignore case (macOS, Windows).
      const first = seen.get(name.toLowerCase());
      if (first !== undefined) {
        excluded.push(`${where} (${problem.id}): the id is taken by ${first}; the first is kept`);
        continue;
      }
      seen.set(name.toLowerCase(), `${where} (${problem.id})`);
      entries.push({
        problem,
        subset: subsetOf({ id: problem.id }, basename(file)),
        runPath: pathInside(runsDir, `${name}.json`),
        journalPath: pathInside(runsDir, `${name}.journal.jsonl`),
      });
    }
  }
  return { entries, excluded };
}

/**
 * A finished run of this very problem (the same text), or undefined to (continue to) run it. A
 * changed reference needs no new samples: the answers are checked again against it.
 */
export async function finishedRun(entry: Entry): Promise<Run | undefined> {
  if (!existsSync(entry.runPath)) return undefined;
  try {
    const run = await readRun(entry.runPath);
    if (run.status !== 'complete' || run.problem.text !== entry.problem.text) return undefined;
    if (run.problem.reference === entry.problem.reference) return run;
    const rechecked = withReference(run, entry.problem.reference);
    await writeRun(entry.runPath, rechecked);
    return rechecked;
  } catch {
    return undefined;
  }
}

/** The run with its answers checked against another reference (or none), its picks redone. */
function withReference(run: Run, reference: string | undefined): Run {
  const { reference: _old, ...problem } = run.problem;
  const samples = run.samples.map((sample) => {
    const { correct: _was, ...rest } = sample;
    return reference === undefined || sample.error || sample.cancelled
      ? rest
      : { ...rest, correct: answersEquivalent(sample.answer, reference) };
  });
  return {
    ...run,
    problem: reference === undefined ? problem : { ...problem, reference },
    samples,
    rerank: rerank(samples, run.judges, reference, run.config),
  };
}

/** What a journal belongs to: the problem's text (an edited problem starts afresh). */
export function problemHash(problem: Problem): string {
  return createHash('sha256').update(problem.text).digest('hex').slice(0, 16);
}

export function defaultProblemsInFlight(config: RunConfig): number {
  // Each problem asks for n samples at once; a few problems keep the policy's slots full while
  // others wait for their judges.
  return Math.max(2, Math.ceil((2 * config.policy.concurrency) / Math.max(1, Math.min(config.policy.n, 8))));
}

export async function runDataset(job: DatasetJob): Promise<DatasetOutcome> {
  const { config, templates } = job.loaded;
  const runsDir = join(job.out, 'runs');
  const { entries, excluded } = await readProblems(job.files, runsDir, job.strict === true);
  if (entries.length === 0)
    throw new InputError({ file: job.files.join(', ') }, 'no problem to run (every row was excluded)');
  await claimFolder(job.out, job.loaded);
  const n = config.policy.n;

  const prices = pricesBySource(config);
  const sources = [
    SAMPLING,
    ...(config.selfJudge.mode === 'off' ? [] : ['self']),
    ...config.prms.map((prm) => prm.id),
  ];
  const unpriced = sources.filter((source) => prices[source] === undefined);
  // A budget that leaves a source out would let that source spend without limit.
  if (job.maxCost !== undefined && unpriced.length > 0)
    throw new InputError(
      { file: '--max-cost' },
      `needs a price for every endpoint that spends: set "price": {"inputPerMillion", "outputPerMillion"} on the policy (sampling and Self-PRM) and on each PRM in the config; none for ${unpriced.join(', ')}`,
    );
  const limit = new AbortController();
  let stopped: StopReason | undefined;
  const stop = (reason: StopReason) => {
    stopped ??= reason;
    limit.abort();
  };
  job.signal?.addEventListener('abort', () => stop('cancelled'), { once: true });
  if (job.signal?.aborted) stop('cancelled');
  const signal = limit.signal;
  // A limit reached drains rather than cancels: the requests already sent (and paid for) finish
  // and are kept; every later attempt waits unsent until the last of them settles, then the run
  // stops and those end cancelled, asked again by the next run.
  let draining = false;
  const untilStopped = new Promise<undefined>((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  const stopWhenDrained = () => {
    if (draining && progress.requestsInFlight === 0) limit.abort();
  };
  const drain = (reason: StopReason) => {
    stopped ??= reason;
    draining = true;
    stopWhenDrained();
  };
  const tuning: EndpointTuning = {
    ...job.tuning,
    onAttempt: (endpoint) => {
      if (draining || signal.aborted) return untilStopped;
      if (job.maxRequests !== undefined && progress.requests >= job.maxRequests) {
        drain('max-requests');
        return untilStopped;
      }
      progress.requests += 1;
      progress.requestsInFlight += 1;
      job.tuning?.onAttempt?.(endpoint);
      let settled = false;
      return () => {
        if (settled) return;
        settled = true;
        progress.requestsInFlight -= 1;
        stopWhenDrained();
      };
    },
  };
  const addUsage = (source: string, usage: Usage | undefined) => {
    if (!usage) return;
    progress.usage = sumUsage(progress.usage, usage);
    progress.usageBySource[source] = sumUsage(progress.usageBySource[source], usage);
    progress.cost = costOf(progress.usageBySource, prices);
    if (job.maxCost !== undefined && (progress.cost.total ?? 0) >= job.maxCost) drain('max-cost');
  };
  const endpoints = createEndpoints({
    config,
    templates,
    resolveKey: job.resolveKey,
    tuning,
    ...(job.onEvent ? { onEvent: job.onEvent } : {}),
  });
  const judges: JudgeInfo[] = endpoints.judges.map((judge) => judge.info);
  const progress: DatasetProgress = {
    problemsDone: 0,
    problems: entries.length,
    reused: 0,
    samplesDone: 0,
    samplesTotal: entries.length * n,
    judgementsDone: 0,
    failedSamples: 0,
    usage: { promptTokens: 0, completionTokens: 0 },
    usageBySource: {},
    cost: costOf({}, prices),
    requests: 0,
    requestsInFlight: 0,
  };
  const finished = new Map<string, DatasetProblem>();
  const snapshotIndex = (): DatasetIndex => {
    const problems = entries
      .map((entry) => finished.get(entry.runPath))
      .filter((problem): problem is DatasetProblem => problem !== undefined);
    const usage = datasetUsage(problems);
    return DatasetIndexSchema.parse({
      schemaVersion: DATASET_SCHEMA_VERSION,
      usage,
      cost: costOf(usage, prices),
      samplesPerProblem: n,
      problemsTotal: entries.length,
      judges,
      thresholds: Object.fromEntries(judges.map((judge) => [judge.id, judgeThreshold(config, judge.id)])),
      complete: problems.length === entries.length,
      problems,
      excluded,
    });
  };
  const indexPath = join(job.out, 'dataset.json');
  const writeSnapshot = async (index: DatasetIndex) => {
    await writeFileAtomic(indexPath, `${JSON.stringify(index)}\n`);
    await writeDatasetReport(job.out, index, job.report);
  };
  // While the run goes on, the index and the report are rewritten now and then, so that a view of
  // the folder (the Dataset Report) follows the run; never two writes at once.
  const snapshots = throttledSnapshots(job.snapshotEveryMs ?? SNAPSHOT_EVERY_MS, () =>
    writeSnapshot(snapshotIndex()),
  );
  let unreadableJournalLines = 0;
  const discardedJournals: string[] = [];

  const runOne = async (entry: Entry, rank: number): Promise<void> => {
    let done = await finishedRun(entry);
    let resumeFrom: Run | undefined;
    if (done && job.retryFailed && hasFailure(done)) {
      resumeFrom = done;
      done = undefined;
    }
    if (done) {
      // A journal beside a finished run is stale (a kill between writing the run and removing it).
      await removeJournal(entry.journalPath);
      finished.set(entry.runPath, datasetProblem(done, relativeRun(entry), config, entry.subset));
      progress.reused += 1;
      progress.problemsDone += 1;
      progress.samplesDone += n;
      // Its failures are the dataset's still: a rerun that reuses them says so, as the first run did.
      progress.failedSamples += done.samples.filter((sample) => sample.error).length;
      job.onProgress?.({ ...progress });
      return;
    }
    if (resumeFrom) {
      // Retrying a finished run's failures turns it back into a run in progress: its samples go
      // to a fresh journal first, and only then does the run file go.
      await removeJournal(entry.journalPath);
      const reopened = await JournalWriter.open(entry.journalPath);
      reopened.append({ type: 'problem', hash: problemHash(entry.problem) });
      if (resumeFrom.samplingUsage) reopened.append({ type: 'usage', usage: resumeFrom.samplingUsage });
      for (const sample of resumeFrom.samples) {
        reopened.append({ type: 'sample', sample: { ...sample, judgements: {} } });
        for (const [judge, judgement] of Object.entries(sample.judgements))
          reopened.append({ type: 'judgement', sample: sample.index, judge, judgement });
      }
      await reopened.close();
      await removeJournal(entry.runPath);
    }
    let replayed = await readJournal(entry.journalPath);
    const hash = problemHash(entry.problem);
    if (replayed.problemHash !== undefined && replayed.problemHash !== hash) {
      // The problem was edited since: its old answers are not answers to it.
      await removeJournal(entry.journalPath);
      discardedJournals.push(entry.problem.id);
      replayed = { samples: [], unreadable: 0 };
    }
    unreadableJournalLines += replayed.unreadable;
    const kept = replayed.samples.filter((sample) => !(job.retryFailed && sample.error));
    progress.samplesDone += kept.length;
    progress.failedSamples += kept.filter((sample) => sample.error).length;
    const fresh = !existsSync(entry.journalPath);
    const journal = await JournalWriter.open(entry.journalPath);
    if (fresh) journal.append({ type: 'problem', hash });
    // The problem's own signal, cancelled with the job's: requests made under it are ranked by the
    // problem's position, so that problems started earlier are admitted first (see rankRequests).
    const problemCancel = new AbortController();
    const unlink = linkCancel(signal, problemCancel);
    rankRequests(problemCancel.signal, rank);
    let run: Run;
    try {
      run = await analyze(entry.problem, {
        config,
        templates,
        resolveKey: job.resolveKey,
        endpoints,
        resume: replayed.samples,
        ...(replayed.samplingUsage ? { resumeSamplingUsage: replayed.samplingUsage } : {}),
        ...(job.retryFailed ? { retryFailed: true } : {}),
        signal: problemCancel.signal,
        onEvent: (event) => {
          if (event.type === 'sampled' && !event.sample.cancelled) {
            journal.append({ type: 'sample', sample: { ...event.sample, judgements: {} } });
            progress.samplesDone += 1;
            if (event.sample.error) progress.failedSamples += 1;
            addUsage(SAMPLING, event.sample.usage);
            job.onProgress?.({ ...progress });
          } else if (event.type === 'judged') {
            journal.append({
              type: 'judgement',
              sample: event.sample,
              judge: event.judge,
              judgement: event.judgement,
            });
            progress.judgementsDone += 1;
            addUsage(event.judge, event.judgement.usage);
          } else if (event.type === 'usage') {
            journal.append({ type: 'usage', usage: event.usage });
            addUsage(SAMPLING, event.usage);
          }
          job.onEvent?.(event);
        },
      });
    } finally {
      unlink();
      await journal.close();
    }
    // Cancelled: the journal keeps what finished; the next run continues from it.
    if (run.status !== 'complete') return;
    await writeRun(entry.runPath, run);
    await removeJournal(entry.journalPath);
    finished.set(entry.runPath, datasetProblem(run, relativeRun(entry), config, entry.subset));
    progress.problemsDone += 1;
    job.onProgress?.({ ...progress });
    snapshots.poke();
  };

  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < entries.length && !signal.aborted && !draining) {
      const rank = next++;
      try {
        await runOne(entries[rank]!, rank);
      } catch (error) {
        // One problem's failure (a full disk, an unreadable file) stops the others' requests too.
        failure ??= { error };
        limit.abort();
      }
    }
  };
  const inFlight = Math.max(1, job.concurrency ?? defaultProblemsInFlight(config));
  await Promise.all(Array.from({ length: Math.min(inFlight, entries.length) }, worker));
  if (failure) throw failure.error;

  await snapshots.settle();
  const index = snapshotIndex();
  await writeSnapshot(index);
  return {
    problems: entries.length,
    reused: progress.reused,
    complete: index.complete,
    ...(stopped && !index.complete ? { stopped } : {}),
    progress: { ...progress },
    excluded,
    unreadableJournalLines,
    discardedJournals,
    indexPath,
    index,
  };
}

/**
 * A failed sample, or a failed judgement of a sample that was judged. The processbench protocol's
 * "no prediction" is an answer, not a failure: asking again would buy the same outcome.
 */
function hasFailure(run: Run): boolean {
  return run.samples.some(
    (sample) =>
      sample.error !== undefined ||
      Object.values(sample.judgements).some(
        (judgement) => judgement.error !== undefined && judgement.prediction === undefined,
      ),
  );
}

function relativeRun(entry: Entry): string {
  return `runs/${basename(entry.runPath)}`;
}

/**
 * What a set of files asks for: `labelled` rows (own steps and a first-error label) are a judge
 * evaluation, `problems` (no steps) a dataset run. Files that mix the two are refused, naming the
 * counts, rather than half of them silently ignored.
 */
export async function rowsKind(files: readonly string[]): Promise<'labelled' | 'problems'> {
  let labelled = 0;
  let problems = 0;
  let other = 0;
  for (const file of files) {
    for (const problem of parseProblemFile(file, await readTextFile(file), { onBadRow: () => {} })) {
      if (!problem.steps?.length) problems += 1;
      else if (problem.humanFirstError !== undefined) labelled += 1;
      else other += 1;
    }
  }
  if (problems > 0 && labelled + other === 0) return 'problems';
  if (labelled > 0 && problems === 0) return 'labelled';
  throw new InputError(
    { file: files.join(', ') },
    `the rows mix ${labelled} with steps and a first-error label (a judge evaluation), ${problems} without steps (a dataset run) and ${other} with steps but no label; give one kind per command`,
  );
}

/** One source's share of what is left to do, and what it may take. */
export interface PlannedSource {
  /** Samples (sampling) or judgements (a judge) still to be made. */
  items: number;
  /** Requests: `low` where the endpoint takes `n` and batches fill, `high` where it refuses `n`. */
  requests: { low: number; high: number } | null;
  /** Why `requests` is null: the judge asks once per step and steps are not known yet. */
  requestsNote?: string;
  /** Tokens it may take: from the tokens finished work took (`measured`), else at the limits. */
  tokens: Usage;
  basis: 'measured' | 'upper bound';
}

export interface DatasetPlan {
  problems: number;
  complete: number;
  inProgress: number;
  /** Failed samples that stay failed (not asked again without retryFailed). */
  failedKept: number;
  bySource: Record<string, PlannedSource>;
  cost: CostFigure;
  excluded: string[];
}

const CHARS_PER_TOKEN = 3;
const promptTokens = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN);

/**
 * What a dataset run would still ask for, before anything is sent (`--plan`): samples and
 * judgements missing, the requests they take and their tokens and cost. Finished work in DIR gives
 * measured tokens per item; without any, each item is counted at its limits (maxTokens).
 */
export async function planDataset(
  job: Pick<DatasetJob, 'files' | 'loaded' | 'out' | 'strict' | 'retryFailed'>,
): Promise<DatasetPlan> {
  const { config } = job.loaded;
  const runsDir = join(job.out, 'runs');
  const { entries, excluded } = await readProblems(job.files, runsDir, job.strict === true);
  const settingsPath = join(job.out, SETTINGS_FILE);
  if (existsSync(settingsPath)) await claimFolder(job.out, job.loaded);
  const n = config.policy.n;
  const judgeIds = [
    ...(config.selfJudge.mode === 'off' ? [] : ['self']),
    ...config.prms.map((prm) => prm.id),
  ];
  const missing: Record<string, number> = Object.fromEntries([SAMPLING, ...judgeIds].map((id) => [id, 0]));
  const measured: Record<string, { usage: Usage; items: number }> = {};
  const measure = (source: string, usage: Usage | undefined) => {
    if (!usage) return;
    const entry = measured[source] ?? { usage: { promptTokens: 0, completionTokens: 0 }, items: 0 };
    entry.usage = sumUsage(entry.usage, usage);
    entry.items += 1;
    measured[source] = entry;
  };
  let complete = 0;
  let inProgress = 0;
  let failedKept = 0;
  let problemsWithMissingSamples = 0;
  let promptChars = 0;
  for (const entry of entries) {
    const run = await finishedRun(entry);
    const samples = run ? run.samples : (await readJournal(entry.journalPath)).samples;
    for (const sample of samples) {
      measure(SAMPLING, sample.usage);
      for (const [judge, judgement] of Object.entries(sample.judgements)) measure(judge, judgement.usage);
    }
    if (!job.retryFailed) failedKept += samples.filter((sample) => sample.error).length;
    if (run && !(job.retryFailed && hasFailure(run))) {
      complete += 1;
      continue;
    }
    if (samples.length > 0) inProgress += 1;
    const kept = samples.filter((sample) => !(job.retryFailed && sample.error));
    const lacking = n - kept.length;
    if (lacking > 0) problemsWithMissingSamples += 1;
    missing[SAMPLING]! += lacking;
    promptChars += lacking * entry.problem.text.length;
    for (const judge of judgeIds) {
      missing[judge]! += lacking;
      for (const sample of kept) {
        if (sample.error || sample.steps.length === 0) continue;
        const judgement = sample.judgements[judge];
        if (!judgement || (job.retryFailed && judgement.error)) missing[judge]! += 1;
      }
    }
  }
  const meanPrompt = missing[SAMPLING]! > 0 ? promptChars / missing[SAMPLING]! / CHARS_PER_TOKEN : 0;
  const bySource: Record<string, PlannedSource> = {};
  const estimate = (source: string, items: number, limit: { prompt: number; completion: number }) => {
    const seen = measured[source];
    if (seen && seen.items > 0)
      return {
        tokens: {
          promptTokens: Math.round((seen.usage.promptTokens / seen.items) * items),
          completionTokens: Math.round((seen.usage.completionTokens / seen.items) * items),
        },
        basis: 'measured' as const,
      };
    return {
      tokens: {
        promptTokens: Math.round(limit.prompt * items),
        completionTokens: Math.round(limit.completion * items),
      },
      basis: 'upper bound' as const,
    };
  };
  bySource[SAMPLING] = {
    items: missing[SAMPLING]!,
    requests: { low: problemsWithMissingSamples, high: missing[SAMPLING]! },
    ...estimate(SAMPLING, missing[SAMPLING]!, {
      prompt: meanPrompt + promptTokens(' Please reason step by step.'),
      completion: config.policy.maxTokens,
    }),
  };
  // A judge reads the problem and a whole solution: at most the policy's maxTokens of it.
  const judgePrompt = meanPrompt + config.policy.maxTokens;
  const self = config.selfJudge;
  if (self.mode !== 'off') {
    const items = missing.self!;
    bySource.self = {
      items,
      ...(self.mode === 'critic'
        ? { requests: { low: items, high: items * self.samples } }
        : { requests: null, requestsNote: 'one request per step' }),
      ...estimate('self', items, {
        prompt: judgePrompt * (self.mode === 'critic' ? self.samples : 1),
        completion: self.maxTokens * (self.mode === 'critic' ? self.samples : 1),
      }),
    };
  }
  for (const prm of config.prms) {
    const items = missing[prm.id]!;
    const requests =
      prm.kind === 'vllm-pooling'
        ? { requests: { low: Math.ceil(items / prm.batchSize), high: items } }
        : prm.kind === 'chat-critic'
          ? { requests: { low: items, high: items * prm.samples } }
          : { requests: null, requestsNote: 'one request per step' };
    bySource[prm.id] = {
      items,
      ...requests,
      ...estimate(prm.id, items, {
        prompt: Math.min(judgePrompt, 'maxInputTokens' in prm ? prm.maxInputTokens : judgePrompt),
        completion: prm.kind === 'chat-critic' ? prm.maxTokens * prm.samples : 0,
      }),
    };
  }
  const tokens = Object.fromEntries(
    Object.entries(bySource).map(([source, planned]) => [source, planned.tokens]),
  );
  return {
    problems: entries.length,
    complete,
    inProgress,
    failedKept,
    bySource,
    cost: costOf(tokens, pricesBySource(config)),
    excluded,
  };
}

/**
 * The report files of a dataset folder, from its index: `report.json`, `report.md` and
 * `report.html` (the page; `name` titles it and picks the paper's numbers drawn beside the curves).
 * The name is kept in report.json: a rebuild without one (the next `evaluate`, `report DIR`) keeps
 * the name given before; never given, the folder's name titles the page.
 */
export async function writeDatasetReport(
  out: string,
  index: DatasetIndex,
  options: ReportOptions = {},
): Promise<string[]> {
  const paths = [join(out, 'report.json'), join(out, 'report.md'), join(out, 'report.html')];
  const name = options.name ?? (await storedReportName(paths[0]!));
  // Checked against the published schema before it is written.
  const report: DatasetReport = DatasetReportSchema.parse(
    datasetReport(index, { ...options, ...(name !== undefined ? { name } : {}) }),
  );
  await writeFileAtomic(paths[0]!, `${JSON.stringify(report, null, 1)}\n`);
  await writeFileAtomic(paths[1]!, datasetReportMarkdown(report, markdownCell));
  await writeFileAtomic(paths[2]!, datasetReportHtml(report, name ?? folderName(out)));
  return paths;
}

/** The name an earlier report.json was given; none when there is no such file or it is unreadable. */
async function storedReportName(path: string): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const name: unknown = JSON.parse(await readTextFile(path)).name;
    return typeof name === 'string' && name.length > 0 ? name : undefined;
  } catch {
    return undefined;
  }
}

/** A dataset folder's index, checked. */
export async function readDatasetIndex(out: string): Promise<DatasetIndex> {
  const path = join(out, 'dataset.json');
  const text = await readTextFile(path);
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw jsonInputError({ file: path }, error);
  }
  const parsed = DatasetIndexSchema.safeParse(value);
  if (!parsed.success) throw inputErrorFromZod({ file: path }, parsed.error);
  return parsed.data;
}

/** How often a running dataset's index and report are rewritten, at most. */
export const SNAPSHOT_EVERY_MS = 15_000;

/**
 * Runs `write` when poked, at most once per `everyMs` and never twice at once; `settle` waits for
 * a write under way (the final write must not race it).
 */
export function throttledSnapshots(everyMs: number, write: () => Promise<void>) {
  let last = Date.now();
  let running: Promise<void> | undefined;
  return {
    poke(): void {
      if (running || Date.now() - last < everyMs) return;
      last = Date.now();
      running = write()
        .catch(() => {
          // A snapshot is a convenience: the final write reports any failure.
        })
        .finally(() => {
          running = undefined;
        });
    },
    async settle(): Promise<void> {
      await running;
    },
  };
}
