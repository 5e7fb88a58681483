/**
 * StepLens: Evaluate Dataset — src/jobs/dataset.ts (the CLI's `steplens evaluate` on problems
 * without steps) on the problems file right-clicked, selected or open: k and the judges asked, the
 * plan's estimate confirmed when it is large, a cancellable progress notification with requests,
 * tokens and cost, into `.steplens/datasets/<name>/`. A cancelled dataset is resumed by running the
 * command again or from the Datasets view (resumeDataset), with the same k and judges.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { RunConfig } from '../core/config.js';
import { IncomparableFolderError, InputError } from '../core/errors.js';
import { count } from '../core/progress.js';
import type { LoadedConfig } from '../io/configFile.js';
import { writeFileAtomic } from '../io/files.js';
import { pathInside } from '../io/paths.js';
import type { DatasetOutcome, DatasetProgress } from '../jobs/dataset.js';
import { datasetFailures } from '../jobs/datasetFailures.js';
import {
  datasetProgressLine,
  type PlanSummary,
  planText,
  samplesEta,
  summarizePlan,
} from '../jobs/progressText.js';
import {
  ask,
  Cancelled,
  type CommandContext,
  guarded,
  openRendered,
  pickMany,
  requireTrust,
  warn,
} from './commands.js';
import {
  DATASETS_DIR,
  type DatasetSource,
  type DatasetSummary,
  datasetHealth,
  datasetOutcomeMessage,
  failureLines,
  needsConfirm,
  readIndex,
  readSource,
  relativeInside,
  SOURCE_FILE,
  sourceFiles,
  validateK,
} from './datasetPlan.js';
import type { DatasetsView } from './datasetsView.js';
import { evaluateJudges, evaluationConfig, targetFiles } from './evaluate.js';
import { evaluationName } from './evaluationPlan.js';
import { COMMAND_IDS } from './ids.js';
import { configFor, judgeChoices } from './rescoreChoice.js';

/** What the command returns (the integration tests read it). */
export interface EvaluateDatasetResult extends DatasetSummary {
  out: string;
  k: number;
  judges: string[];
  plan: PlanSummary;
  /** The plan was large enough to be confirmed first. */
  confirmed: boolean;
  stopped?: DatasetOutcome['stopped'];
}

async function askK(context: CommandContext, prefill: number): Promise<number> {
  const prompt = 'k: solutions sampled per problem (each judged by the judges you pick next)';
  const value = String(prefill);
  context.dialogs.asked.push(`${prompt}\n[${value}]`);
  const answer = context.dialogs.scriptedInput
    ? context.dialogs.scriptedInput(prompt, value)
    : await vscode.window.showInputBox({
        title: 'Evaluate Dataset: samples per problem',
        prompt,
        value,
        ignoreFocusOut: true,
        validateInput: validateK,
      });
  if (answer === undefined) throw new Cancelled();
  const invalid = validateK(answer);
  if (invalid) throw new InputError({ file: 'k' }, invalid);
  return Number(answer.trim());
}

async function pickJudges(
  context: CommandContext,
  config: RunConfig,
  previous: readonly string[] | undefined,
): Promise<string[]> {
  const choices = judgeChoices(config, { judges: [] });
  if (choices.length === 0) return [];
  const picked = await pickMany(
    context,
    'Evaluate Dataset: which judges score every sample?',
    'None picked: samples and answers only (majority vote)',
    choices.map((choice) => ({
      label: choice.id,
      description: choice.what,
      picked: previous ? previous.includes(choice.id) : true,
      id: choice.id,
    })),
  );
  if (!picked) throw new Cancelled();
  return picked.map((item) => item.id);
}

/** The settings (or config file) narrowed to the chosen judges, with k samples per problem. */
function datasetConfig(loaded: LoadedConfig, k: number, judges: readonly string[]): LoadedConfig {
  const narrowed = configFor(loaded.config, judges);
  return { ...loaded, config: { ...narrowed, policy: { ...narrowed.policy, n: k } } };
}

/** The workspace folder a dataset folder `<root>/.steplens/datasets/<name>` belongs to. */
function rootOf(out: string): string {
  return dirname(dirname(dirname(out)));
}

const sameFiles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((file, i) => file === [...b].sort()[i]);

export function evaluateDataset(
  context: CommandContext,
  datasets: DatasetsView,
  uri?: vscode.Uri,
  uris?: readonly vscode.Uri[],
): Promise<EvaluateDatasetResult | undefined> {
  return guarded(context, 'Evaluate Dataset', async () => {
    requireTrust(context, 'Evaluating a dataset');
    const targets = targetFiles(
      uri,
      uris,
      'a problems file (.json, .jsonl, .md, .txt: MATH, AIME, GSM8K rows)',
    );
    const files = targets.map((target) => target.fsPath);
    const { rowsKind } = await import('../jobs/dataset.js');
    // Rows with their own steps and a first-error label are a judge evaluation: nothing to sample.
    if ((await rowsKind(files)) === 'labelled') {
      const text =
        'StepLens: these rows carry steps and first-error labels, so they evaluate the judges rather than sample a dataset: running Evaluate Judges on them.';
      context.notices.push(text);
      context.log.info(text);
      void vscode.window.showInformationMessage(text);
      await evaluateJudges(context, uri, uris);
      return undefined;
    }
    const root = context.storage.rootFor(targets[0]);
    const datasetsDir = join(root, ...DATASETS_DIR);
    const out = pathInside(
      datasetsDir,
      evaluationName(files, (name) => existsSync(join(datasetsDir, name))),
    );
    const folder = vscode.workspace.asRelativePath(out, false);
    if (datasets.isRunning(out))
      throw new InputError({ file: folder }, 'is being evaluated in this window already');
    const relativeFiles = files.map((file) => relativeInside(root, file));
    if (relativeFiles.some((file) => file === undefined))
      throw new InputError(
        { file: vscode.workspace.asRelativePath(targets[0]!, false) },
        'not in a workspace folder: open the folder that holds the problems file',
      );
    let previous: DatasetSource | undefined;
    try {
      previous = await readSource(out);
    } catch (error) {
      throw new InputError(
        { file: `${folder}/${SOURCE_FILE}` },
        `cannot be read (${error instanceof Error ? error.message : String(error)}): delete the folder to start over`,
      );
    }
    const wanted = relativeFiles as string[];
    if (previous && !sameFiles(previous.files, wanted))
      throw new InputError(
        { file: folder },
        `holds the dataset of ${previous.files.join(', ')}, not ${wanted.join(', ')}: delete or rename that folder first`,
      );
    const { loaded, source } = await evaluationConfig(context, root);
    // A dataset that exists is offered as it was made: the same k and judges resume it.
    const k = await askK(context, previous?.k ?? loaded.config.policy.n);
    const judges = await pickJudges(context, loaded.config, previous?.judges);
    return runInto(context, datasets, {
      root,
      out,
      folder,
      files,
      relativeFiles: wanted,
      loaded,
      source,
      k,
      judges,
    });
  });
}

/** Resumes a dataset from the Datasets view: its recorded files, k and judges. */
export function resumeDataset(
  context: CommandContext,
  datasets: DatasetsView,
  out: string | undefined,
): Promise<EvaluateDatasetResult | undefined> {
  return guarded(context, 'Resume Dataset', async () => {
    if (!out)
      throw new InputError({ file: 'no dataset chosen' }, 'choose a dataset in the StepLens Datasets view');
    requireTrust(context, 'Resuming a dataset');
    const folder = vscode.workspace.asRelativePath(out, false);
    if (datasets.isRunning(out))
      throw new InputError({ file: folder }, 'is being evaluated in this window already');
    const root = rootOf(out);
    // Only a dataset folder of this workspace (the command may be called with any path).
    if (
      !(vscode.workspace.workspaceFolders ?? []).some((workspace) => workspace.uri.fsPath === root) ||
      pathInside(join(root, ...DATASETS_DIR), basename(out)) !== resolve(out)
    )
      throw new InputError(
        { file: folder },
        'is not a dataset folder (.steplens/datasets/<name>) of this workspace',
      );
    let recorded: DatasetSource | undefined;
    let files: string[];
    try {
      recorded = await readSource(out);
      files = recorded ? sourceFiles(root, recorded, `${folder}/${SOURCE_FILE}`) : [];
    } catch (error) {
      throw new InputError(
        { file: `${folder}/${SOURCE_FILE}` },
        `cannot be used (${error instanceof Error ? error.message : String(error)}): run Evaluate Dataset on the problems file instead`,
      );
    }
    if (!recorded)
      throw new InputError(
        { file: folder },
        `has no ${SOURCE_FILE} (made by the CLI?): run Evaluate Dataset on its problems file, or \`steplens evaluate\` with the same --out`,
      );
    for (const file of files)
      if (!existsSync(file))
        throw new InputError(
          { file: vscode.workspace.asRelativePath(file, false) },
          `the problems file of ${folder} is gone: restore it to resume`,
        );
    const { loaded, source } = await evaluationConfig(context, root);
    return runInto(context, datasets, {
      root,
      out,
      folder,
      files,
      relativeFiles: recorded.files,
      loaded,
      source,
      k: recorded.k,
      judges: recorded.judges,
    });
  });
}

interface DatasetTarget {
  root: string;
  out: string;
  folder: string;
  files: string[];
  relativeFiles: string[];
  loaded: LoadedConfig;
  /** Where the judges came from, for messages. */
  source: string;
  k: number;
  judges: string[];
}

/** An IncomparableFolderError in the host's words: the folder, what it was made with, what to do. */
function incomparable(target: DatasetTarget, recorded: DatasetSource | undefined): InputError {
  const made = recorded
    ? ` (made with k = ${recorded.k}, judges ${recorded.judges.join(', ') || 'none'})`
    : '';
  return new InputError(
    { file: target.folder },
    `holds a dataset sampled and judged with another policy, k, judges, prompts or templates${made} than ${target.source} and your choices now give (k = ${target.k}, judges ${target.judges.join(', ') || 'none'}); mixing them would make its figures meaningless: delete the folder to start over, or choose as before`,
  );
}

async function runInto(
  context: CommandContext,
  datasets: DatasetsView,
  target: DatasetTarget,
): Promise<EvaluateDatasetResult> {
  const { out, folder, files, k, judges } = target;
  const loaded = datasetConfig(target.loaded, k, judges);
  const recorded = await readSource(out).catch(() => undefined);
  const retryFailed = await askAgainIfFailed(context, folder, out);
  const { planDataset, runDataset } = await import('../jobs/dataset.js');
  let plan: Awaited<ReturnType<typeof planDataset>>;
  try {
    plan = await planDataset({ files, loaded, out, ...(retryFailed ? { retryFailed } : {}) });
  } catch (error) {
    if (error instanceof IncomparableFolderError) throw incomparable(target, recorded);
    throw error;
  }
  const summary = summarizePlan(plan);
  const estimate = planText(plan, summary);
  context.log.info(
    `evaluate dataset ${folder} (k = ${k}, judges ${judges.join(', ') || 'none'}):\n${estimate}`,
  );
  const confirmed = needsConfirm(summary);
  if (confirmed) {
    const answer = await ask(
      context,
      `Evaluate Dataset: send about ${count(summary.requests.high)} requests on your key for ${folder}?`,
      `${estimate}\nCancelling later keeps what finished; the dataset resumes where it stopped.`,
      ['Run'],
    );
    if (answer !== 'Run') throw new Cancelled();
  }
  const resolveKey = await context.keys.resolverFor(loaded.config);
  await mkdir(out, { recursive: true });
  const record: DatasetSource = {
    schemaVersion: 1,
    files: target.relativeFiles,
    problems: plan.problems,
    k,
    judges,
  };
  await writeFileAtomic(join(out, SOURCE_FILE), `${JSON.stringify(record, null, 1)}\n`);
  datasets.started(out);
  // Every failure is in its run; the log names the first few as they happen, not thousands.
  let failuresLogged = 0;
  let outcome: DatasetOutcome;
  try {
    outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `StepLens: evaluating dataset ${folder} (k = ${k})`,
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let first: { at: number; samples: number } | undefined;
        let reported = 0;
        let problemsSeen = 0;
        progress.report({ message: `${plan.problems} problem(s): reading…` });
        return runDataset({
          files,
          loaded,
          out,
          resolveKey,
          ...(retryFailed ? { retryFailed } : {}),
          signal: controller.signal,
          onProgress: (now: DatasetProgress) => {
            const at = Date.now();
            first ??= { at, samples: now.samplesDone };
            const eta = samplesEta(first, { at, samples: now.samplesDone, total: now.samplesTotal });
            const percent = now.samplesTotal === 0 ? 0 : (now.samplesDone / now.samplesTotal) * 100;
            progress.report({ message: datasetProgressLine(now, eta), increment: percent - reported });
            reported = percent;
            if (now.problemsDone !== problemsSeen) {
              problemsSeen = now.problemsDone;
              datasets.changed();
            }
          },
          onEvent: (event) => {
            if (event.type === 'retry')
              context.log.info(`retry ${event.attempt} in ${event.delayMs} ms: ${event.message}`);
            else if (event.type === 'sampled' && event.sample.error && !event.sample.cancelled) {
              failuresLogged += 1;
              if (failuresLogged <= LOGGED_FAILURES)
                context.log.warn(`dataset ${folder}: a sample failed: ${event.sample.error}`);
              if (failuresLogged === LOGGED_FAILURES + 1)
                context.log.warn(
                  `dataset ${folder}: further failed samples are not logged one by one; each problem's run names its errors`,
                );
            } else if (event.type === 'judged' && event.judgement.error)
              context.log.warn(`dataset: ${event.judge} failed on a sample: ${event.judgement.error}`);
          },
        });
      },
    );
  } catch (error) {
    if (error instanceof IncomparableFolderError) throw incomparable(target, recorded);
    throw error;
  } finally {
    datasets.finished(out);
  }
  for (const line of outcome.excluded) context.log.warn(`dataset ${folder}: excluded ${line}`);
  const usage = outcome.progress.usage;
  const failed = await datasetFailures(out, outcome.index);
  const result: EvaluateDatasetResult = {
    folder,
    out,
    k,
    judges,
    plan: summary,
    confirmed,
    problems: outcome.problems,
    finished: outcome.index.problems.length,
    reused: outcome.reused,
    requests: outcome.progress.requests,
    tokens: usage.promptTokens + usage.completionTokens,
    cost: outcome.progress.cost.total,
    complete: outcome.complete,
    excluded: outcome.excluded.length,
    samples: failed.samples ?? 0,
    failedSamples: failed.failedSamples ?? 0,
    ...(failed.firstFailure ? { firstFailure: failed.firstFailure } : {}),
    ...(outcome.stopped ? { stopped: outcome.stopped } : {}),
  };
  const text = datasetOutcomeMessage(result);
  context.log.info(text);
  // A report of no usable sample is an empty page: the warning says why instead.
  if (!outcome.complete || datasetHealth(result) === 'all-failed') warn(context, text);
  else {
    await openRendered(context, vscode.Uri.file(join(out, 'report.md')));
    // Failed samples make a finished run worth a warning, not a plain notice.
    if (result.failedSamples > 0) warn(context, text);
    else {
      context.notices.push(text);
      // The button opens the Dataset Report view: the plots and the problems table.
      void vscode.window.showInformationMessage(text, 'Open Report').then((choice) => {
        if (choice) void vscode.commands.executeCommand(COMMAND_IDS.openDatasetReport, vscode.Uri.file(out));
      });
    }
  }
  return result;
}

/** Sample failures logged one by one per dataset run. */
const LOGGED_FAILURES = 20;

/**
 * A complete dataset with failed samples would be run again as it is (finished problems are kept,
 * failed samples with them) and change nothing: it is asked whether to request the failed samples
 * again. Every sample failed: ask again, or nothing (the command ends). Some failed: ask again, or
 * keep them (the run goes on and reuses everything); dismissed, the command ends.
 */
async function askAgainIfFailed(context: CommandContext, folder: string, out: string): Promise<boolean> {
  const index = await readIndex(out).catch(() => undefined);
  if (!index?.complete) return false;
  const failed = await datasetFailures(out, index);
  const health = datasetHealth(failed);
  if (health === 'clean') return false;
  const lines = failureLines({ finished: index.problems.length, ...failed });
  const detail = `${lines.slice(0, -1).join('\n')}\nAsk again once the endpoint answers: the samples and their judgements are requested anew.`;
  if (health === 'all-failed') {
    const answer = await ask(
      context,
      `StepLens: every sample of ${folder} failed, so it has no report. Ask the failed samples again?`,
      detail,
      ['Ask Again'],
    );
    if (answer !== 'Ask Again') throw new Cancelled();
    return true;
  }
  const answer = await ask(
    context,
    `StepLens: ${count(failed.failedSamples ?? 0)} of ${count(failed.samples ?? 0)} samples of ${folder} failed. Ask them again?`,
    detail,
    ['Ask Again', 'Keep Them'],
  );
  if (answer === undefined) throw new Cancelled();
  return answer === 'Ask Again';
}
