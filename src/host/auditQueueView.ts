/**
 * The Audit Queue view: one WebviewPanel per dataset folder (or for the runs of the workspace)
 * showing the steps where Self-PRM and a PRM disagree across every run, one at a time
 * (webview/queue/). What is read: the folder's dataset.json (zod-checked) for the runs and their
 * subsets (the workspace's runs: `.steplens/runs/`, their problem files as sources), each run file,
 * and each run's audit log, followed on disk while the view is open (labels made meanwhile in the
 * panel or another window show; only the changed runs' logs are read again) and read again whenever
 * the view comes back into sight; each annotator's labels are the replay of their own events.
 *
 * Labels go through the panel's own save path (saveAudit, then the run's audit log writer shared
 * with the panel), and the page hears "saved" only once the log's append has resolved. Where the
 * person was, and the filters, are kept in workspaceState per dataset folder and annotator.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { eventsOfAnnotator, replayByAnnotator } from '../core/annotators.js';
import { sameAuditEvents } from '../core/audit.js';
import {
  buildQueue,
  type LabelsByRun,
  nextIndex,
  nothingJudged,
  othersStepNotes,
  type QueueInput,
  type QueueItem,
  type QueueRun,
  queueChoices,
  queueProgress,
  queueRun,
  resumeIndex,
} from '../core/auditQueue.js';
import { DEFAULT_RUBRIC, RUBRIC_MAX_CHARS } from '../core/rubric.js';
import type { AuditEvent } from '../core/schemas.js';
import { readAuditLog } from '../io/auditLog.js';
import { runPathInFolder } from '../io/paths.js';
import { readRun } from '../io/runFiles.js';
import { readDatasetIndex } from '../jobs/dataset.js';
import { errorText } from '../llm/credentials.js';
import {
  parseQueueWebviewMessage,
  type QueueHostMessage,
  type QueuePosition,
  QueuePositionSchema,
  type QueueSourceRef,
  QueueSourceSchema,
  type QueueWebviewMessage,
} from '../protocol.js';
import { queueHtml } from '../queueHtml.js';
import { createNonce } from '../webviewHtml.js';
import type { Annotators } from './annotator.js';
import { saveAudit } from './auditSave.js';
import { type CommandContext, guarded } from './commands.js';
import { pickDataset } from './datasetPick.js';
import { isJudgeEvaluation } from './datasetPlan.js';
import { QUEUE_PANEL_TYPE } from './ids.js';
import { LogFollower, Turns } from './logFollower.js';
import { datasetPickUi } from './reportView.js';
import type { RunStorage } from './storage.js';
import { watchFollower } from './watchLogs.js';
import { webviewAssets } from './webviewAssets.js';

export { QUEUE_PANEL_TYPE };

/** Runs sent with the queue: those of the first items the page will show; the rest on request. */
const FIRST_RUNS = 4;

/** Where a queue's runs come from. */
export interface QueueSource {
  /** What a window reload reopens. */
  ref: QueueSourceRef;
  /** Names the queue (title, remembered position) and holds its rubric.md. */
  folder: string;
  name: string;
  /** The run files, each with its subset; `bySource`: the problem's file stands for the subset. */
  runs(): Promise<{ path: string; subset?: string; bySource?: boolean; label: string }[]>;
}

/**
 * A dataset folder: the runs dataset.json lists, with its subsets. A judge evaluation's folder
 * (Evaluate Judges: evaluation.json, no dataset.json) has its rows' runs under runs/<subset>/.
 */
export function datasetSource(folder: string): QueueSource {
  return {
    ref: { kind: 'dataset', folder },
    folder,
    name: basename(folder),
    runs: async () => {
      if (isJudgeEvaluation(folder)) return evaluationRuns(folder);
      const index = await readDatasetIndex(folder);
      return index.problems.map((problem) => {
        const path = runPathInFolder(folder, problem.run);
        if (!path) throw new Error(`${problem.id}: its run ${problem.run} is outside the folder`);
        return {
          path,
          label: problem.id,
          ...(problem.subset !== undefined ? { subset: problem.subset } : {}),
        };
      });
    },
  };
}

/** A judge evaluation's runs, one per row, under runs/<subset>/ (the subset is the folder's name). */
async function evaluationRuns(folder: string): Promise<{ path: string; subset: string; label: string }[]> {
  const runsDir = join(folder, 'runs');
  const runs: { path: string; subset: string; label: string }[] = [];
  for (const subset of await readdir(runsDir, { withFileTypes: true })) {
    if (!subset.isDirectory()) continue;
    for (const file of await readdir(join(runsDir, subset.name)))
      if (file.endsWith('.json'))
        runs.push({
          path: join(runsDir, subset.name, file),
          subset: subset.name,
          label: `${subset.name}/${file}`,
        });
  }
  return runs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The runs of the workspace (`.steplens/runs/` of each folder, and global storage), by problem file. */
export function workspaceRunsSource(storage: RunStorage): QueueSource {
  return {
    ref: { kind: 'workspaceRuns' },
    folder: join(storage.rootFor(), '.steplens'),
    name: 'workspace runs',
    runs: async () =>
      (await storage.list()).map((entry) => ({
        path: entry.path,
        bySource: true,
        label: basename(entry.path),
      })),
  };
}

interface LoadedRun {
  input: QueueInput;
  path: string;
  events: AuditEvent[];
}

export class AuditQueueView implements vscode.Disposable {
  /** The page said `ready` since its HTML was last set; what was sent last (the tests read them). */
  ready = false;
  lastShown: Extract<QueueHostMessage, { type: 'queue/show' }> | undefined;
  lastSent: QueueHostMessage | undefined;
  private runs = new Map<string, LoadedRun>();
  private visible = true;
  /**
   * Reading the logs and appending to them take turns: a re-read never lands between an append and
   * the in-memory copy that records it, so no label is counted twice or lost from the count.
   */
  private readonly turns = new Turns();
  /** The queue without filters, last built: what the runs sent to the page are cut to. */
  private allItems: QueueItem[] = [];
  private problems: string[] = [];
  private position: QueuePosition = { unlabelledOnly: true };
  private readonly disposables: vscode.Disposable[] = [];
  /** The runs' audit logs followed on disk: labels saved meanwhile in the panel or another window. */
  private logs: vscode.Disposable | undefined;
  /** A read of the logs still under way when the view closed sends nothing. */
  private disposed = false;

  readonly folder: string;

  constructor(
    readonly source: QueueSource,
    readonly panel: vscode.WebviewPanel,
    private readonly context: CommandContext,
    private readonly extensionUri: vscode.Uri,
    private readonly annotators: Pick<Annotators, 'current'>,
    /** Whose labels the queue shows and saves: the window's annotator when it opened or last changed. */
    public annotator: string,
    onDispose: () => void,
  ) {
    this.folder = source.folder;
    this.position = this.savedPosition();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      // Back in sight: labels made meanwhile (in the panel, in another window) are read again.
      panel.onDidChangeViewState((event) => {
        const visible = event.webviewPanel.visible;
        // Only coming back into sight: a change of focus alone (the palette opening) is no reason.
        if (visible && !this.visible && this.ready) void this.reload();
        this.visible = visible;
      }),
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
  }

  private stateKey(): string {
    return `steplens.auditQueue:${this.folder}:${this.annotator}`;
  }

  private savedPosition(): QueuePosition {
    const saved = QueuePositionSchema.safeParse(this.context.workspaceState.get(this.stateKey()));
    return saved.success ? saved.data : { unlabelledOnly: true };
  }

  /** Another annotator: their labels, their progress, where they left off. */
  async switchAnnotator(name: string): Promise<void> {
    if (name === this.annotator) return;
    this.annotator = name;
    this.position = this.savedPosition();
    if (this.ready) await this.sendQueue();
  }

  /** Reads the runs and their logs, then sets the page; the queue follows on `ready`. */
  async load(): Promise<void> {
    await this.readRuns();
    this.followLogs();
    this.setHtml();
  }

  /** Reads the runs and logs again and sends the queue (the page keeps the item it shows). */
  async reload(): Promise<void> {
    try {
      await this.turns.take(() => this.readRuns());
      this.followLogs();
      await this.sendQueue();
    } catch (error) {
      this.context.log.error(`Audit Queue ${this.folder}: ${errorText(error)}`);
    }
  }

  /** Follows the audit logs of the runs read last; a change re-reads only the changed runs' logs. */
  private followLogs(): void {
    this.logs?.dispose();
    const paths = new Map(
      [...this.runs].map(([id, loaded]) => [resolve(this.context.storage.auditPath(loaded.path, id)), id]),
    );
    this.logs = watchFollower(
      new LogFollower(paths, (runIds) => this.turns.take(() => this.rereadLogs(runIds))),
    );
  }

  /** The logs of `runIds` changed on disk: the queue is sent again when a run's labels differ. */
  private async rereadLogs(runIds: string[]): Promise<void> {
    let changed = false;
    for (const id of runIds) {
      const loaded = this.runs.get(id);
      if (!loaded) continue;
      try {
        const { events } = await readAuditLog(this.context.storage.auditPath(loaded.path, id));
        if (sameAuditEvents(events, loaded.events)) continue;
        loaded.events = events;
        changed = true;
      } catch (error) {
        this.context.log.warn(
          `Audit Queue ${this.folder}: the changed audit log of ${id}: ${errorText(error)}`,
        );
      }
    }
    if (changed && this.ready && !this.disposed) await this.sendQueue();
  }

  private async readRuns(): Promise<void> {
    const entries = await this.source.runs();
    const runs = new Map<string, LoadedRun>();
    this.problems = [];
    for (const entry of entries) {
      try {
        const run = await readRun(entry.path);
        let events: AuditEvent[];
        try {
          const log = await readAuditLog(this.context.storage.auditPath(entry.path, run.id));
          if (log.skipped.length > 0)
            this.problems.push(`${run.id}: ${log.skipped.length} unreadable line(s) in its audit log`);
          events = log.events;
        } catch (error) {
          // A log that cannot be read now: its run stays in the queue with the labels read before.
          this.problems.push(`${run.id}: its audit log: ${errorText(error)}`);
          events = this.runs.get(run.id)?.events ?? [];
        }
        const subset = entry.bySource ? basename(run.problem.source.file) : entry.subset;
        runs.set(run.id, {
          input: { run, ...(subset !== undefined ? { subset } : {}) },
          path: entry.path,
          events,
        });
      } catch (error) {
        this.problems.push(`${entry.label}: ${errorText(error)}`);
      }
    }
    for (const line of this.problems) this.context.log.warn(`Audit Queue ${this.folder}: ${line}`);
    this.runs = runs;
  }

  private setHtml(): void {
    const webview = this.panel.webview;
    const assets = webviewAssets(webview, this.extensionUri);
    this.ready = false;
    webview.html = queueHtml({
      nonce: createNonce(),
      cspSource: webview.cspSource,
      name: this.source.name,
      scriptUri: assets.uri('queue.js'),
      styleUri: assets.uri('webview.css'),
      deferred: assets.deferred,
    });
  }

  private labelsByRun(): LabelsByRun {
    return new Map([...this.runs].map(([id, loaded]) => [id, replayByAnnotator(loaded.events).byAnnotator]));
  }

  /**
   * The queue under the current filters, as the page gets it: every item, but the runs of the first
   * few it will show only; the page asks for the others as it goes (`queue/needRuns`).
   */
  queueMessage(rubric: { text: string; source: string }): Extract<QueueHostMessage, { type: 'queue/show' }> {
    const inputs = [...this.runs.values()].map((loaded) => loaded.input);
    // Runs are cut to the samples with an item under any filter, so a page's copy serves them all.
    this.allItems = buildQueue(inputs);
    const items = buildQueue(inputs, {
      ...(this.position.prm !== undefined ? { prm: this.position.prm } : {}),
      ...(this.position.subset !== undefined ? { subsets: [this.position.subset] } : {}),
      ...(this.position.order !== undefined ? { order: this.position.order } : {}),
    });
    const withItems = new Set(items.map((item) => item.run));
    const byRun = this.labelsByRun();
    const progress = queueProgress(items, byRun, [this.annotator]);
    const labelsOf = (run: string) => byRun.get(run)?.get(this.annotator);
    const first = new Set<string>();
    let at = resumeIndex(items, this.position.key, {
      unlabelledOnly: this.position.unlabelledOnly,
      labelsOf,
    });
    for (let n = 0; at !== undefined && n < FIRST_RUNS; n++) {
      first.add(items[at]!.run);
      const next = nextIndex(items, at, { unlabelledOnly: this.position.unlabelledOnly, labelsOf });
      at = next !== undefined && next > at ? next : undefined;
    }
    const withNotes = [...this.runs]
      .filter(([id]) => withItems.has(id))
      .map(([id, loaded]) => [id, othersStepNotes(loaded.events, this.annotator)] as const)
      .filter(([, notes]) => notes.length > 0);
    return {
      type: 'queue/show',
      dataset: this.source.name,
      annotator: this.annotator,
      items,
      runs: [...first].map((id) => this.queueRunOf(id)).filter((run) => run !== undefined),
      events: Object.fromEntries(
        [...this.runs]
          .filter(([id]) => withItems.has(id))
          .map(([id, loaded]) => [id, eventsOfAnnotator(loaded.events, this.annotator)]),
      ),
      ...(withNotes.length > 0 ? { notes: Object.fromEntries(withNotes) } : {}),
      others: progress.annotators.filter((entry) => entry.annotator !== this.annotator),
      choices: queueChoices(inputs),
      position: this.position,
      rubric,
      source: this.source.ref,
    };
  }

  private queueRunOf(id: string): QueueRun | undefined {
    const loaded = this.runs.get(id);
    return loaded && queueRun(loaded.input, this.allItems);
  }

  private async send(message: QueueHostMessage): Promise<void> {
    if (message.type === 'queue/show') this.lastShown = message;
    this.lastSent = message;
    await this.panel.webview.postMessage(message);
  }

  async receive(raw: unknown): Promise<void> {
    const message = parseQueueWebviewMessage(raw);
    if (!message) {
      this.context.log.warn(
        `ignored an audit queue message that does not parse: ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
      return;
    }
    await this.onMessage(message);
  }

  private async onMessage(message: QueueWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.sendQueue();
        break;
      case 'queue/label':
        await this.turns.take(() => this.label(message));
        break;
      case 'queue/position':
        this.remember(message.position);
        break;
      case 'queue/needRuns':
        await this.send({
          type: 'queue/runs',
          runs: message.ids.map((id) => this.queueRunOf(id)).filter((run) => run !== undefined),
        });
        break;
      case 'queue/filter':
        this.remember(message.position);
        await this.sendQueue();
        break;
      case 'queue/openRun': {
        const loaded = this.runs.get(message.runId);
        if (!loaded) break;
        try {
          await this.context.hub.showRunFile(loaded.path, false, {
            sample: message.sample,
            step: message.step,
            ...(message.prm !== undefined ? { prm: message.prm } : {}),
          });
        } catch (error) {
          const text = `StepLens: could not open run ${message.runId}: ${errorText(error)}`;
          this.context.notices.push(text);
          void vscode.window.showErrorMessage(text);
        }
        break;
      }
      case 'log/error':
        this.context.log.error(`audit queue page: ${message.message}`);
        break;
    }
  }

  private async sendQueue(): Promise<void> {
    if (this.runs.size === 0) {
      await this.send({
        type: 'queue/empty',
        message: `No run of ${this.source.name} could be read${this.problems.length > 0 ? `: ${this.problems.slice(0, 3).join('; ')}` : ''}.`,
      });
      return;
    }
    const unjudged = nothingJudged(
      [...this.runs.values()].map((loaded) => loaded.input),
      this.source.name,
    );
    if (unjudged !== undefined) {
      await this.send({ type: 'queue/empty', message: unjudged });
      return;
    }
    await this.send(this.queueMessage(await readRubric(this.folder, this.context.log)));
  }

  private remember(position: QueuePosition): void {
    this.position = position;
    void this.context.workspaceState.update(this.stateKey(), position);
  }

  /** One label: answered once the run's audit log has it, or with why it could not take it. */
  private async label(request: Extract<QueueWebviewMessage, { type: 'queue/label' }>): Promise<void> {
    const loaded = this.runs.get(request.runId);
    const annotator = await this.annotators.current();
    let saved: AuditEvent | undefined;
    const reply = await saveAudit(
      request,
      loaded && {
        runId: request.runId,
        append: (event) => {
          saved = event;
          return this.context.storage.writer(loaded.path, request.runId).append(event);
        },
      },
      { annotator },
    );
    if (reply.type === 'audit/saved') {
      if (saved) loaded?.events.push(saved);
      await this.send({ type: 'queue/saved', runId: reply.runId, requestId: reply.requestId });
    } else {
      this.context.log.error(
        `Audit Queue: could not save a label for run ${request.runId}: ${reply.message}`,
      );
      await this.send({
        type: 'queue/failed',
        runId: reply.runId,
        requestId: reply.requestId,
        message: reply.message,
      });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.logs?.dispose();
    this.logs = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/**
 * The rubric: the file `steplens.rubricFile` names (relative to the dataset's workspace folder, or
 * absolute), else the dataset folder's rubric.md, else StepLens's default. A named file that cannot
 * be read is said so on the pane, never silently replaced.
 */
export async function readRubric(
  folder: string,
  log: vscode.LogOutputChannel,
): Promise<{ text: string; source: string }> {
  const setting = vscode.workspace
    .getConfiguration('steplens', vscode.Uri.file(folder))
    .get<string>('rubricFile')
    ?.trim();
  if (setting) {
    const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder))?.uri.fsPath ?? folder;
    const path = isAbsolute(setting) ? setting : join(root, setting);
    try {
      return { text: (await readFile(path, 'utf8')).slice(0, RUBRIC_MAX_CHARS), source: basename(path) };
    } catch (error) {
      log.warn(`Audit Queue: steplens.rubricFile ${path}: ${errorText(error)}`);
      return {
        text: `**steplens.rubricFile could not be read** (${errorText(error)}); the default rubric follows.\n\n${DEFAULT_RUBRIC}`,
        source: `${basename(path)} unreadable`,
      };
    }
  }
  try {
    return {
      text: (await readFile(join(folder, 'rubric.md'), 'utf8')).slice(0, RUBRIC_MAX_CHARS),
      source: 'rubric.md',
    };
  } catch {
    return {
      text: DEFAULT_RUBRIC,
      source: 'default rubric; put a rubric.md in the dataset folder for your own',
    };
  }
}

/** The open queues, one per dataset folder (and one for the workspace's runs): opening one again brings it forward. */
export class AuditQueues implements vscode.Disposable {
  readonly views = new Map<string, AuditQueueView>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly context: () => CommandContext,
    private readonly annotators: Pick<Annotators, 'current' | 'onDidChange'>,
  ) {
    // Switch Annotator (or the setting): every open queue shows the new annotator's labels.
    this.subscription = annotators.onDidChange((name) => {
      for (const view of this.views.values()) void view.switchAnnotator(name);
    });
  }

  async show(source: QueueSource): Promise<AuditQueueView> {
    const open = this.views.get(source.folder);
    if (open) {
      open.panel.reveal();
      await open.reload();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      QUEUE_PANEL_TYPE,
      `Audit · ${source.name}`,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
      },
    );
    return this.track(source, panel);
  }

  /**
   * A queue panel VS Code restores after a window reload: its page kept what it was a queue of.
   * A state without one, or a queue open already, closes the panel.
   */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const parsed = QueueSourceSchema.safeParse((state as { source?: unknown } | undefined)?.source);
    const source = !parsed.success
      ? undefined
      : parsed.data.kind === 'dataset'
        ? datasetSource(parsed.data.folder)
        : workspaceRunsSource(this.context().storage);
    if (!source || this.views.has(source.folder)) {
      panel.dispose();
      return;
    }
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
    try {
      await this.track(source, panel);
    } catch (error) {
      this.context().log.error(`Audit Queue: could not reopen ${source.folder}: ${errorText(error)}`);
    }
  }

  private async track(source: QueueSource, panel: vscode.WebviewPanel): Promise<AuditQueueView> {
    const annotator = await this.annotators.current();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'steplens.svg');
    const key = source.folder;
    const view = new AuditQueueView(
      source,
      panel,
      this.context(),
      this.extensionUri,
      this.annotators,
      annotator,
      () => this.views.delete(key),
    );
    this.views.set(key, view);
    try {
      await view.load();
    } catch (error) {
      panel.dispose();
      throw error;
    }
    return view;
  }

  dispose(): void {
    this.subscription.dispose();
    for (const view of this.views.values()) view.panel.dispose();
    this.views.clear();
  }
}

/** The queue to open: a dataset folder of the workspace, the workspace's runs, or a folder browsed to. */
async function pickQueueSource(storage: RunStorage): Promise<QueueSource | undefined> {
  const runs: vscode.QuickPickItem = {
    label: '$(list-unordered) Runs of this workspace',
    detail: 'Every run under .steplens/runs/, by problem file',
  };
  const picked = await pickDataset(datasetPickUi(), 'Audit which runs?', [runs]);
  if (!picked) return undefined;
  return 'folder' in picked ? datasetSource(picked.folder.fsPath) : workspaceRunsSource(storage);
}

/** `steplens.openAuditQueue [folder]`: the audit queue of a dataset folder (picked when not given). */
export function openAuditQueue(
  context: CommandContext,
  queues: AuditQueues,
  folder: string | undefined,
): Promise<AuditQueueView | undefined> {
  return guarded(context, 'Open Audit Queue', async () => {
    const source = folder !== undefined ? datasetSource(folder) : await pickQueueSource(context.storage);
    if (!source) return undefined;
    return queues.show(source);
  });
}
