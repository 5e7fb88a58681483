/**
 * StepLens's commands. Each one catches its own errors: bad input becomes a message that names the
 * file, row and field, and nothing reaches the extension host as an unhandled rejection.
 */
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { endpointUrls, type RunConfig, urlWithoutCredentials } from '../core/config.js';
import { describeEstimate, estimateRequests } from '../core/cost.js';
import { InputError } from '../core/errors.js';
import { contradictionsNotice, exportedRowsNotice } from '../core/export.js';
import { type Problem, parseProblemFile } from '../core/problems.js';
import { SELF_JUDGE_ID } from '../core/rerank.js';
import type { Run } from '../core/schemas.js';
import { decodeText } from '../core/text.js';
import { loadLabeledRuns, skippedAuditLines, writeExport } from '../io/exportFiles.js';
import { endpointAccess, errorText } from '../llm/credentials.js';
import type { KeyResolver } from '../llm/judges.js';
import type { PipelineEvent } from '../llm/pipeline.js';
import { serverRoot } from '../llm/pooling.js';
import { describeEndpoint, describeSource, endpointFailures } from './endpointSource.js';
import type { PanelHub } from './panel.js';
import { configFor, describeRescore, judgeChoices } from './rescoreChoice.js';
import type { KeyStore } from './secrets.js';
import {
  type ConfigResult,
  type CostSetting,
  endpointSources,
  readRunConfig,
  SECTION,
  workspaceCostValues,
} from './settings.js';
import type { RunStorage } from './storage.js';

export interface CommandContext {
  hub: PanelHub;
  storage: RunStorage;
  keys: KeyStore;
  log: vscode.LogOutputChannel;
  /** Every error, warning and outcome message shown to the user, in order (the integration tests read it). */
  notices: string[];
  dialogs: Dialogs;
  /** Per-workspace memory: the user's answers about this workspace's cost settings. */
  workspaceState: vscode.Memento;
}

/** Modal questions: asked of the user, or answered by a script in the integration tests. */
export interface Dialogs {
  /** Every question asked, in order. */
  asked: string[];
  scripted?: (question: string, choices: readonly string[]) => string | undefined;
  /** Answers a multi-select pick with the labels to pick (undefined: dismissed). */
  scriptedPick?: (title: string, labels: readonly string[]) => readonly string[] | undefined;
  /** Answers an input box with the text to enter (undefined: dismissed); given the prefilled value. */
  scriptedInput?: (prompt: string, value: string) => string | undefined;
}

/** A multi-select QuickPick, recorded in `asked` (each item with its picked state) and scriptable. */
export async function pickMany<T extends vscode.QuickPickItem>(
  context: CommandContext,
  title: string,
  placeHolder: string,
  items: T[],
): Promise<readonly T[] | undefined> {
  context.dialogs.asked.push(
    `${title}\n${items.map((item) => `[${item.picked ? 'x' : ' '}] ${item.label} — ${item.description ?? ''}`).join('\n')}`,
  );
  if (context.dialogs.scriptedPick) {
    const labels = context.dialogs.scriptedPick(
      title,
      items.map((item) => item.label),
    );
    return labels && items.filter((item) => labels.includes(item.label));
  }
  return vscode.window.showQuickPick(items, { title, placeHolder, canPickMany: true, ignoreFocusOut: true });
}

export async function ask(
  context: CommandContext,
  question: string,
  detail: string,
  choices: readonly string[],
): Promise<string | undefined> {
  context.dialogs.asked.push(`${question}\n${detail}`);
  if (context.dialogs.scripted) return context.dialogs.scripted(question, choices);
  return vscode.window.showWarningMessage(question, { modal: true, detail }, ...choices);
}

/** A question dismissed or a step the user declined: the command ends without a message. */
export class Cancelled extends Error {}

/** Runs a command body; errors end as one clear message (and a log line), never a crash. */
export async function guarded<T>(
  context: CommandContext,
  what: string,
  body: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Cancelled) return undefined;
    const message = errorText(error);
    context.log.error(`${what}: ${message}`);
    const text =
      error instanceof InputError ? `StepLens: ${message}` : `StepLens: ${what} failed: ${message}`;
    context.notices.push(text);
    void vscode.window.showErrorMessage(text, 'Show Log').then((choice) => choice && context.log.show());
    return undefined;
  }
}

export function warn(context: CommandContext, text: string): void {
  context.notices.push(text);
  void vscode.window.showWarningMessage(text, 'Show Log').then((choice) => choice && context.log.show());
}

/** Analyzing sends requests on the user's key: not from a workspace the user has not trusted. */
export function requireTrust(context: CommandContext, what: string): void {
  if (vscode.workspace.isTrusted) return;
  warn(
    context,
    `StepLens: ${what} sends requests on your key, so it needs a trusted workspace (Restricted Mode allows opening and viewing runs). Use "Workspaces: Manage Workspace Trust".`,
  );
  throw new Cancelled();
}

const ALLOW_WORKSPACE_COST = 'Allow for This Workspace';
const USE_MY_SETTINGS = 'Use My Settings';

/**
 * A workspace asking for more samples, critiques, tokens or concurrency than it may set alone is
 * asked about once (per workspace and per set of values), with the request count it would cost.
 * Returns the settings to read from the user's own values instead.
 */
async function confirmWorkspaceCost(context: CommandContext): Promise<CostSetting[]> {
  const excess = workspaceCostValues();
  if (excess.length === 0) return [];
  const settings = excess.map((entry) => entry.setting);
  const memoryKey = `workspaceCost:${JSON.stringify(excess.map((entry) => [entry.setting, entry.workspaceValue]))}`;
  const remembered = context.workspaceState.get<string>(memoryKey);
  if (remembered === ALLOW_WORKSPACE_COST) return [];
  if (remembered === USE_MY_SETTINGS) return settings;
  const estimate = (result: ConfigResult) =>
    result.ok ? describeEstimate(estimateRequests(result.config)) : 'unknown';
  const values = excess
    .map((entry) => `${SECTION}.${entry.setting} = ${entry.workspaceValue} (yours: ${entry.userValue})`)
    .join(', ');
  const answer = await ask(
    context,
    "This workspace's settings ask StepLens to spend more on your key than a workspace may set alone.",
    `${values}.\nWith the workspace's values: ${estimate(readRunConfig())}.\nWith yours: ${estimate(readRunConfig(undefined, settings))}.`,
    [ALLOW_WORKSPACE_COST, USE_MY_SETTINGS],
  );
  if (answer !== ALLOW_WORKSPACE_COST && answer !== USE_MY_SETTINGS) throw new Cancelled();
  await context.workspaceState.update(memoryKey, answer);
  return answer === USE_MY_SETTINGS ? settings : [];
}

/** The settings for a command that spends on the user's key (cost settings confirmed first). */
export async function settingsOrThrow(context: CommandContext): Promise<RunConfig> {
  return validSettings(context, readRunConfig(undefined, await confirmWorkspaceCost(context)));
}

function validSettings(context: CommandContext, result: ConfigResult): RunConfig {
  if (result.ok) return result.config;
  context.notices.push(`StepLens: ${result.message}`);
  void vscode.window.showErrorMessage(`StepLens: ${result.message}`, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', result.setting);
  });
  throw new Cancelled();
}

// ---------------------------------------------------------------------------------------------
// Choosing the problem

async function readProblems(uri: vscode.Uri): Promise<Problem[]> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  const file = vscode.workspace.asRelativePath(uri, false);
  return parseProblemFile(file, decodeText(bytes, { file }));
}

/** A file with many rows asks which one, searchable by id and text. */
async function pickProblem(problems: Problem[], title: string): Promise<Problem> {
  if (problems.length === 1) return problems[0]!;
  const items = problems.map((problem) => ({
    label: problem.id,
    description: problem.steps
      ? `${problem.steps.length} steps`
      : problem.reference !== undefined
        ? `answer ${problem.reference}`
        : '',
    detail: problem.text.replace(/\s+/g, ' ').slice(0, 160),
    problem,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: `${problems.length} problems: type to search by id or text`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) throw new Cancelled();
  return picked.problem;
}

/** The problem a command is about: the selected text, the file right-clicked, or the active file. */
async function targetProblem(
  uri: vscode.Uri | undefined,
  existingSteps: boolean,
): Promise<{ problem: Problem; resource: vscode.Uri }> {
  const editor = vscode.window.activeTextEditor;
  if (
    !existingSteps &&
    editor &&
    !editor.selection.isEmpty &&
    (!uri || uri.toString() === editor.document.uri.toString())
  ) {
    const text = editor.document.getText(editor.selection).trim();
    if (text !== '') {
      const name = basename(editor.document.uri.fsPath).replace(/\.[^.]+$/, '');
      const line = editor.selection.start.line + 1;
      return {
        problem: {
          id: `${name}-selection-L${line}`,
          text,
          format: 'text',
          source: { file: vscode.workspace.asRelativePath(editor.document.uri, false), row: line },
        },
        resource: editor.document.uri,
      };
    }
  }
  const resource = uri ?? editor?.document.uri;
  if (!resource)
    throw new InputError(
      { file: 'no file chosen' },
      'open or right-click a problem file (.md, .txt, .json, .jsonl) first',
    );
  let problems = await readProblems(resource);
  if (existingSteps) {
    problems = problems.filter((problem) => problem.steps && problem.steps.length > 0);
    if (problems.length === 0) {
      throw new InputError(
        { file: vscode.workspace.asRelativePath(resource, false) },
        'no row carries steps of its own (ProcessBench "steps" or PRM800K "label.steps")',
      );
    }
  }
  return {
    problem: await pickProblem(
      problems,
      existingSteps ? 'Score which row’s steps?' : 'Analyze which problem?',
    ),
    resource,
  };
}

// ---------------------------------------------------------------------------------------------
// Running the pipeline with progress, live panel updates and cancel

/** Each endpoint a config sends requests to, described by URL and where that came from. */
function describeEndpoints(config: RunConfig): { policy: string; judges: Record<string, string> } {
  const sources = endpointSources();
  const policy = describeEndpoint(config.policy.baseUrl, sources.policy);
  return {
    policy,
    judges: Object.fromEntries([
      ...(config.selfJudge.mode === 'off' ? [] : [[SELF_JUDGE_ID, policy]]),
      ...config.prms.map((prm) => [prm.id, describeEndpoint(prm.baseUrl, sources.prms)]),
    ]),
  };
}

async function runWithProgress(
  context: CommandContext,
  title: string,
  /** Where the run is saved, by its id. */
  pathFor: (runId: string) => string,
  work: (options: {
    config: RunConfig;
    resolveKey: KeyResolver;
    signal: AbortSignal;
    onEvent: (event: PipelineEvent) => void;
  }) => Promise<Run>,
  config: RunConfig,
): Promise<Run> {
  const { hub, storage, log, keys } = context;
  const resolveKey = await keys.resolverFor(config);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let runId = '';
      let path = '';
      const counts = { sampled: 0, sampleTotal: 0, judged: 0, judgeTotal: 0 };
      let reported = 0;
      const report = () => {
        const total = counts.sampleTotal + counts.judgeTotal;
        const done = total === 0 ? 0 : ((counts.sampled + counts.judged) / total) * 100;
        progress.report({
          message: `sampled ${counts.sampled}/${counts.sampleTotal} · judged ${counts.judged}/${counts.judgeTotal}`,
          increment: done - reported,
        });
        reported = done;
        hub.liveProgress(runId, counts);
      };
      const onEvent = (event: PipelineEvent) => {
        switch (event.type) {
          case 'started':
            runId = event.run.id;
            path = pathFor(runId);
            counts.sampleTotal =
              event.run.samples.length > 0 ? event.run.samples.length : event.run.config.policy.n;
            hub.beginLive(event.run, path);
            log.info(
              `run ${runId}: started (${event.run.judges.map((judge) => judge.id).join(', ') || 'no judges'})`,
            );
            break;
          case 'sampled':
            counts.sampled = event.done;
            counts.sampleTotal = event.total;
            hub.liveSample(runId, event.sample);
            if (event.sample.error)
              log.warn(`run ${runId}: sample ${event.sample.index} failed: ${event.sample.error}`);
            report();
            break;
          case 'judged':
            counts.judged = event.done;
            counts.judgeTotal = event.total;
            hub.liveJudgement(runId, event.sample, event.judge, event.judgement);
            if (event.judgement.error)
              log.warn(
                `run ${runId}: ${event.judge} on sample ${event.sample} failed: ${event.judgement.error}`,
              );
            report();
            break;
          case 'retry':
            log.info(`retry ${event.attempt} in ${event.delayMs} ms: ${event.message}`);
            break;
          case 'streaming':
            break;
        }
      };
      const run = await work({ config, resolveKey, signal: controller.signal, onEvent });
      path ||= pathFor(run.id);
      await storage.save(path, run);
      hub.finishLive(run);
      const failed = run.samples.filter((sample) => sample.error).length;
      log.info(
        `run ${run.id}: ${run.status}, ${run.samples.length} samples, ${failed} failed, saved to ${path}`,
      );
      // Every failure names the endpoint it came from: its URL, and where that URL was set.
      const failures = endpointFailures(run, describeEndpoints(config));
      for (const line of failures) log.warn(`run ${run.id}: ${line}`);
      if (run.status === 'cancelled') {
        const unfinished = run.samples.filter((sample) => sample.cancelled).length;
        warn(
          context,
          `StepLens: cancelled; the ${run.samples.length - unfinished} sample(s) finished so far are saved` +
            (unfinished > 0 ? `, and what ${unfinished} unfinished one(s) had written.` : '.'),
        );
      } else if (failures.length > 0) {
        warn(context, `StepLens: ${failures.join('; ')}. The rest is saved.`);
      }
      return run;
    },
  );
}

export async function analyzeProblem(
  context: CommandContext,
  uri: vscode.Uri | undefined,
  existingSteps: boolean,
): Promise<Run | undefined> {
  return guarded(context, existingSteps ? 'Score Existing Steps' : 'Analyze Problem', async () => {
    requireTrust(context, existingSteps ? 'Scoring steps' : 'Analyzing');
    const { problem, resource } = await targetProblem(uri, existingSteps);
    const config = await settingsOrThrow(context);
    const { analyze } = await import('../llm/pipeline.js');
    return runWithProgress(
      context,
      `StepLens: ${existingSteps ? 'scoring' : 'analyzing'} ${problem.id}`,
      (runId) => context.storage.runPath(context.storage.rootFor(resource), runId),
      (options) => analyze(problem, { ...options, existingSteps }),
      config,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Runs

async function pickRunPaths(context: CommandContext, title: string, many: boolean): Promise<string[]> {
  const stored = await context.storage.list();
  const current = context.hub.current?.path;
  const items: (vscode.QuickPickItem & { path?: string })[] = stored.map((entry) => ({
    label: basename(entry.path, '.json'),
    description: new Date(entry.modified).toLocaleString(),
    detail: vscode.workspace.asRelativePath(entry.path, false),
    path: entry.path,
    picked: entry.path === current,
  }));
  // Shown whatever is typed: a dataset's runs (.steplens/datasets/<name>/runs/) are not listed here.
  const browse: vscode.QuickPickItem = {
    label: '$(folder-opened) Browse for a run file…',
    detail: "a dataset's runs are in .steplens/datasets/<name>/runs/, or open one from the Datasets view",
    alwaysShow: true,
  };
  const picked = many
    ? await vscode.window.showQuickPick([...items], {
        title,
        // Enter takes the ticked runs, not the one typed for: the open run comes ticked.
        placeHolder: 'Type to find a run, Space to tick or untick it, Enter to take the ticked runs',
        canPickMany: true,
        matchOnDetail: true,
      })
    : await vscode.window.showQuickPick([...items, browse], {
        title,
        matchOnDescription: true,
        matchOnDetail: true,
      });
  if (!picked) throw new Cancelled();
  const list = Array.isArray(picked) ? picked : [picked];
  if (list.includes(browse)) {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: many,
      filters: { 'StepLens run': ['json'] },
      title,
    });
    if (!uris || uris.length === 0) throw new Cancelled();
    return uris.map((uri) => uri.fsPath);
  }
  const paths = list
    .map((item) => (item as { path?: string }).path)
    .filter((path): path is string => path !== undefined);
  if (paths.length === 0) throw new Cancelled();
  return paths;
}

export function openRun(context: CommandContext, uri?: vscode.Uri): Promise<Run | undefined> {
  return guarded(context, 'Open Run', async () => {
    const [path] = uri ? [uri.fsPath] : await pickRunPaths(context, 'Open which StepLens run?', false);
    return context.hub.showRunFile(path!);
  });
}

export function rescoreRun(context: CommandContext): Promise<Run | undefined> {
  return guarded(context, 'Rescore Run', async () => {
    const [path] = context.hub.current
      ? [context.hub.current.path]
      : await pickRunPaths(context, 'Rescore which run?', false);
    requireTrust(context, 'Rescoring');
    const { run } = await context.storage.open(path!);
    const settings = await settingsOrThrow(context);
    // Which judges to run: each configured judge, marked as already in the run (replaced) or new
    // (added); new ones are preselected. Judges of the run left out keep their judgements.
    const choices = judgeChoices(settings, run);
    if (choices.length === 0) {
      throw new InputError(
        { file: 'settings' },
        'no judge is configured: steplens.selfJudge.mode is "off" and steplens.prms is empty',
      );
    }
    const picked = await pickMany(
      context,
      `Rescore ${run.problem.id}: which judges to run?`,
      `This run has: ${run.judges.map((judge) => judge.id).join(', ') || 'no judges'}. Judges you leave out keep their scores.`,
      choices.map((choice) => ({
        label: choice.id,
        description: choice.inRun ? 'in this run: replace its scores' : 'new: add',
        detail: choice.what,
        picked: !choice.inRun,
        id: choice.id,
      })),
    );
    if (!picked || picked.length === 0) throw new Cancelled();
    const chosen = picked.map((item) => item.id);
    const config = configFor(settings, chosen);
    const { rescore } = await import('../llm/pipeline.js');
    const rescored = await runWithProgress(
      context,
      `StepLens: rescoring ${run.problem.id} (${chosen.join(', ')})`,
      () => path!,
      async (options) => {
        const result = await rescore(run, options);
        // Self-PRM not run: the run's own Self-PRM settings still describe the self scores it keeps.
        return chosen.includes(SELF_JUDGE_ID)
          ? result
          : { ...result, config: { ...result.config, selfJudge: run.config.selfJudge } };
      },
      config,
    );
    if (rescored.status !== 'cancelled') {
      const text = `StepLens: ${describeRescore(run, rescored, chosen)}`;
      context.notices.push(text);
      context.log.info(text);
      void vscode.window.showInformationMessage(text);
    }
    return rescored;
  });
}

/** A fresh folder under .steplens/exports by default (one key press), or any folder. */
async function pickExportFolder(context: CommandContext): Promise<string> {
  const root = context.storage.rootFor();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const fresh = join(root, '.steplens', 'exports', stamp);
  const choose = { label: '$(folder) Choose another folder…' };
  const picked = await vscode.window.showQuickPick(
    [
      { label: vscode.workspace.asRelativePath(fresh, false), description: 'new folder', path: fresh },
      choose,
    ],
    { title: 'Export the audits to' },
  );
  if (!picked) throw new Cancelled();
  if ('path' in picked) return picked.path;
  const uris = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    title: 'Export folder',
  });
  if (!uris?.[0]) throw new Cancelled();
  return uris[0].fsPath;
}

/** A Markdown file as the Markdown preview renders it (the text itself where no preview is available). */
export async function openRendered(context: CommandContext, uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch (error) {
    context.log.warn(`no Markdown preview (${errorText(error)}): opening ${uri.fsPath} as text`);
    await vscode.window.showTextDocument(uri, { preview: true });
  }
}

/** Asks which runs and where; scripts and tests may pass both and skip the questions. */
export function exportAudits(
  context: CommandContext,
  outDir?: string,
  runPaths?: string[],
): Promise<string | undefined> {
  return guarded(context, 'Export Audits', async () => {
    const paths =
      runPaths && runPaths.length > 0 ? runPaths : await pickRunPaths(context, 'Export which runs?', true);
    const out = outDir ?? (await pickExportFolder(context));
    const runs = await loadLabeledRuns(paths);
    const skipped = skippedAuditLines(runs);
    for (const line of skipped) context.log.warn(`export: skipped ${line}`);
    if (skipped.length > 0) {
      warn(
        context,
        `StepLens: ${skipped.length} audit line(s) could not be read; their labels are missing from the export (listed in report.md and the log).`,
      );
    }
    const written = await writeExport(runs, out);
    context.log.info(`exported ${paths.length} run(s) to ${written.out}: ${written.files.join(', ')}`);
    if (written.contradictorySamples > 0)
      warn(context, `StepLens: ${contradictionsNotice(written.contradictorySamples)}.`);
    // The report opens by itself, rendered; the message stays in the notification centre.
    const report = vscode.Uri.file(join(written.out, 'report.md'));
    await openRendered(context, report);
    const text = `StepLens: exported ${paths.length} run(s) to ${written.out}: ${exportedRowsNotice(written.exported)}; the report is open.`;
    context.notices.push(text);
    void vscode.window.showInformationMessage(text, 'Open Report').then((choice) => {
      if (choice) void openRendered(context, report);
    });
    return written.out;
  });
}

// ---------------------------------------------------------------------------------------------
// Keys and connections

/** Each URL a key may be stored for: an endpoint's, or each of its replicas'. */
function endpointsOf(config: RunConfig | undefined): { label: string; baseUrl: string }[] {
  if (!config) return [];
  const each = (label: string, endpoint: { baseUrl: string | string[] }) => {
    const urls = endpointUrls(endpoint);
    return urls.map((baseUrl, index) => ({
      label: urls.length > 1 ? `${label} (replica ${index + 1})` : label,
      baseUrl,
    }));
  };
  return [
    ...each(`Policy: ${config.policy.model}`, config.policy),
    ...config.prms.flatMap((prm) => each(`PRM ${prm.id}: ${prm.model}`, prm)),
  ];
}

export function setApiKey(context: CommandContext): Promise<void> {
  return guarded(context, 'Set API Key', async () => {
    const result = readRunConfig();
    const endpoints = endpointsOf(result.ok ? result.config : undefined);
    const other = { label: 'Another endpoint…', baseUrl: '' };
    const picked = await vscode.window.showQuickPick(
      [
        ...endpoints.map((endpoint) => ({
          ...endpoint,
          description: urlWithoutCredentials(endpoint.baseUrl),
        })),
        other,
      ],
      { title: 'Store an API key for which endpoint?' },
    );
    if (!picked) throw new Cancelled();
    let baseUrl = picked.baseUrl;
    if (!baseUrl) {
      baseUrl =
        (await vscode.window.showInputBox({
          prompt: 'Base URL of the endpoint',
          placeHolder: 'https://api.openai.com/v1',
          validateInput: (v) => (/^https?:\/\//.test(v) ? undefined : 'an http(s) URL'),
        })) ?? '';
      if (!baseUrl) throw new Cancelled();
    }
    const key = await vscode.window.showInputBox({
      title: `API key for ${new URL(baseUrl).origin}`,
      prompt: 'Stored in VS Code’s secret storage; leave empty to delete the stored key.',
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) throw new Cancelled();
    if (key === '') await context.keys.delete(baseUrl);
    else await context.keys.set(baseUrl, key);
    context.log.info(`API key for ${new URL(baseUrl).origin} ${key === '' ? 'deleted' : 'stored'}`);
    void vscode.window.showInformationMessage(
      `StepLens: key for ${new URL(baseUrl).origin} ${key === '' ? 'deleted' : 'stored'}.`,
    );
  });
}

/** fetch's "fetch failed" with its cause (ECONNREFUSED 127.0.0.1:8000, a DNS failure, …). */
function connectionErrorText(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? `${errorText(error)}: ${errorText(cause)}` : errorText(error);
}

export function testConnection(context: CommandContext): Promise<string[] | undefined> {
  return guarded(context, 'Test Connection', async () => {
    // One request per endpoint (per replica), to URLs only user settings can set: no cost question to ask.
    const config = validSettings(context, readRunConfig());
    const resolveKey = await context.keys.resolverFor(config);
    const sources = endpointSources();
    const endpoints = [
      {
        label: `policy ${config.policy.model}`,
        request: config.policy,
        source: sources.policy,
        url: (baseUrl: string) => `${baseUrl.replace(/\/+$/, '')}/models`,
      },
      ...config.prms.map((prm) => ({
        label: `PRM ${prm.id}`,
        request: prm,
        source: sources.prms,
        url: (baseUrl: string) =>
          prm.kind === 'vllm-pooling'
            ? `${serverRoot(baseUrl)}/v1/models`
            : `${baseUrl.replace(/\/+$/, '')}/models`,
      })),
    ];
    // An endpoint with replicas: each replica is tried, and named by its number.
    const targets = endpoints.flatMap(({ label, request, ...target }) => {
      const urls = endpointUrls(request);
      return urls.map((baseUrl, index) => ({
        ...target,
        label: urls.length > 1 ? `${label} (replica ${index + 1})` : label,
        request: { baseUrl, apiKeyEnv: request.apiKeyEnv },
      }));
    });
    const lines = await Promise.all(
      targets.map(async ({ label, request, url, source }) => {
        const key = resolveKey(request);
        const started = performance.now();
        // The URL tried, without credentials, and where its base came from: never a silent default.
        let tried = url(urlWithoutCredentials(request.baseUrl));
        const where = `GET ${tried} · ${describeSource(source)}`;
        try {
          // Authenticates as the pipeline does (Bearer key, or Basic for a URL's user:pass@).
          const access = endpointAccess(request.baseUrl, key);
          tried = url(access.baseUrl);
          const response = await fetch(tried, {
            headers: access.headers,
            signal: AbortSignal.timeout(10_000),
          });
          const ms = Math.round(performance.now() - started);
          const auth = key ? 'with key' : access.headers.authorization ? 'with user and password' : 'no key';
          return `${label}: ${response.ok ? 'OK' : `HTTP ${response.status}`} (${ms} ms, ${auth}) · ${where}`;
        } catch (error) {
          return `${label}: unreachable (${connectionErrorText(error)}) · ${where}`;
        }
      }),
    );
    for (const line of lines) context.log.info(`test connection: ${line}`);
    const allOk = lines.every((line) => line.includes(': OK'));
    const show = allOk ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`StepLens: ${lines.join(' · ')}`, 'Show Log').then((choice) => choice && context.log.show());
    return lines;
  });
}
