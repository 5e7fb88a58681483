/**
 * The Dataset Report view: a dataset folder's report (plots and tables, src/reportHtml.ts) with a
 * sortable, filterable problems table (webview/report/) in a WebviewPanel, one per folder. A click
 * on a problem opens its run in the StepLens panel at its first disagreement.
 *
 * What is read, and when the report is computed again: src/jobs/reportCache.ts (one cache for every
 * view, an entry per open folder).
 *
 * Live: a dataset run writes dataset.json and report.json when it ends (or stops); a watcher on the
 * folder re-reads them whenever either changes, and the page says when the dataset is partial.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { runPathInFolder } from '../io/paths.js';
import { FolderReportCache } from '../jobs/reportCache.js';
import { errorText } from '../llm/credentials.js';
import { parseReportWebviewMessage, type ReportHostMessage, type ReportWebviewMessage } from '../protocol.js';
import { reportViewHtml } from '../reportViewHtml.js';
import { createNonce } from '../webviewHtml.js';
import { type CommandContext, guarded, openRendered } from './commands.js';
import { type DatasetPickUi, pickDataset } from './datasetPick.js';
import { isJudgeEvaluation } from './datasetPlan.js';
import { REPORT_PANEL_TYPE } from './ids.js';
import type { PanelHub } from './panel.js';
import { webviewAssets } from './webviewAssets.js';

const WATCHED = new Set(['dataset.json', 'report.json']);

/** How long after the last change of the folder's files the view re-reads them. */
const REFRESH_DELAY_MS = 300;

type ProblemsMessage = Extract<ReportHostMessage, { type: 'report/problems' }>;

export class DatasetReportView implements vscode.Disposable {
  /** The page's script said `ready` (it ran under the page's CSP) since the page was last set. */
  ready = false;
  /** What was last sent to the page, and how many times the folder was read (the tests read them). */
  lastSent: ProblemsMessage | undefined;
  reads = 0;
  private pending: ProblemsMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly folder: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly hub: PanelHub,
    private readonly log: vscode.LogOutputChannel,
    private readonly cache: FolderReportCache,
    onDispose: () => void,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, '{dataset.json,report.json}'),
    );
    const changed = () => this.scheduleRefresh('watcher');
    // VS Code's watcher may miss a folder it does not watch (outside the workspace, or excluded);
    // the files are read from this machine's disk, so its own notifications back it up.
    let own: FSWatcher | undefined;
    try {
      own = watch(folder.fsPath, (_event, file) => {
        if (file !== null && WATCHED.has(String(file))) this.scheduleRefresh('fs.watch');
      });
      own.on('error', (error) =>
        this.log.warn(`Dataset Report: watching ${folder.fsPath}: ${errorText(error)}`),
      );
    } catch (error) {
      this.log.warn(`Dataset Report: cannot watch ${folder.fsPath}: ${errorText(error)}`);
    }
    this.disposables.push(
      { dispose: () => own?.close() },
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      watcher.onDidDelete(changed),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
  }

  private scheduleRefresh(source: string): void {
    this.log.debug(`Dataset Report ${this.folder.fsPath}: a file changed (${source})`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  /** Reads the folder and sets the page afresh (plots and all); the table follows on `ready`. */
  async refresh(): Promise<void> {
    const folder = this.folder.fsPath;
    const name = basename(folder);
    const webview = this.panel.webview;
    const page = {
      nonce: createNonce(),
      cspSource: webview.cspSource,
      scriptUri: webviewAssets(webview, this.extensionUri).uri('report.js'),
      name,
    };
    this.reads += 1;
    try {
      if (!existsSync(join(folder, 'dataset.json'))) {
        this.pending = undefined;
        this.setHtml(
          reportViewHtml({
            ...page,
            report: null,
            problem: `No dataset.json in ${folder} yet. A dataset run writes it when it ends or stops; this view fills in then.`,
          }),
        );
        return;
      }
      const { index, options, report, methods, rows } = await this.cache.get(folder);
      // The stored --name titles the view as it titles report.html (and picks the paper's numbers).
      if (options.name !== undefined) this.panel.title = `Report · ${options.name}`;
      this.pending = {
        type: 'report/problems',
        complete: index.complete,
        methods,
        rows,
        read: new Date().toISOString(),
      };
      this.setHtml(reportViewHtml({ ...page, name: options.name ?? name, report }));
    } catch (error) {
      this.log.error(`Dataset Report ${folder}: ${errorText(error)}`);
      this.pending = undefined;
      this.setHtml(
        reportViewHtml({ ...page, report: null, problem: `Could not read the dataset: ${errorText(error)}` }),
      );
    }
  }

  private setHtml(html: string): void {
    this.ready = false;
    this.panel.webview.html = html;
  }

  /** One message from the page, parsed with zod; what does not parse is dropped. */
  async receive(raw: unknown): Promise<void> {
    const message = parseReportWebviewMessage(raw);
    if (!message) {
      this.log.warn(`ignored a report message that does not parse: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    await this.onMessage(message);
  }

  private async onMessage(message: ReportWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.panel.webview.postMessage({
          type: 'report/folder',
          folder: this.folder.fsPath,
        } satisfies ReportHostMessage);
        if (this.pending) {
          this.lastSent = this.pending;
          await this.panel.webview.postMessage(this.pending);
        }
        break;
      case 'report/openRun':
        await this.openRun(message);
        break;
      case 'log/error':
        this.log.error(`report page: ${message.message}`);
        break;
    }
  }

  private async openRun(message: Extract<ReportWebviewMessage, { type: 'report/openRun' }>): Promise<void> {
    const path = runPathInFolder(this.folder.fsPath, message.run);
    if (!path) {
      this.log.warn(`refused to open ${message.run}: not inside ${this.folder.fsPath}`);
      return;
    }
    const at =
      message.sample !== undefined && message.step !== undefined
        ? {
            sample: message.sample,
            step: message.step,
            ...(message.prm !== undefined ? { prm: message.prm } : {}),
          }
        : undefined;
    try {
      await this.hub.showRunFile(path, false, at);
    } catch (error) {
      const text = `StepLens: could not open ${message.run}: ${errorText(error)}`;
      this.log.error(text);
      void vscode.window.showErrorMessage(text);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cache.forget(this.folder.fsPath);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/** The open report views, one per folder: opening a folder again brings its view forward. */
export class DatasetReports implements vscode.Disposable {
  readonly views = new Map<string, DatasetReportView>();
  /** The computed reports of the open folders: a refresh with nothing changed computes nothing. */
  readonly cache = new FolderReportCache();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly hub: PanelHub,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * A report panel VS Code restores after a window reload: its page kept the folder in its state.
   * A folder that is gone (or a state without one) gets a page that says so.
   */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const folder = (state as { folder?: unknown } | undefined)?.folder;
    if (typeof folder !== 'string' || this.views.has(folder)) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    await this.track(vscode.Uri.file(folder), panel).refresh();
  }

  private webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
  }

  private track(folder: vscode.Uri, panel: vscode.WebviewPanel): DatasetReportView {
    const key = folder.fsPath;
    const view = new DatasetReportView(folder, panel, this.extensionUri, this.hub, this.log, this.cache, () =>
      this.views.delete(key),
    );
    this.views.set(key, view);
    return view;
  }

  async show(folder: vscode.Uri): Promise<DatasetReportView> {
    const key = folder.fsPath;
    const open = this.views.get(key);
    if (open) {
      open.panel.reveal();
      await open.refresh();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      REPORT_PANEL_TYPE,
      `Report · ${basename(key)}`,
      vscode.ViewColumn.Active,
      this.webviewOptions(),
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'steplens.svg');
    const view = this.track(folder, panel);
    await view.refresh();
    return view;
  }

  dispose(): void {
    for (const view of this.views.values()) view.panel.dispose();
    this.views.clear();
  }
}

/** The dataset folders of the workspace: `.steplens/datasets/*` and `.steplens/evaluations/*` with a dataset.json. */
export async function workspaceDatasets(): Promise<vscode.Uri[]> {
  const files = await vscode.workspace.findFiles(
    '.steplens/{datasets,evaluations}/*/dataset.json',
    null,
    500,
  );
  return files
    .map((file) => vscode.Uri.joinPath(file, '..'))
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The window's pickers and the workspace's dataset folders, for pickDataset (datasetPick.ts). */
export function datasetPickUi(): DatasetPickUi {
  return {
    datasets: workspaceDatasets,
    relative: (uri) => vscode.workspace.asRelativePath(uri, false),
    showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
    showOpenDialog: (options) => vscode.window.showOpenDialog(options),
  };
}

/**
 * The folder to show when the command was given none: a pick among the workspace's dataset folders
 * or any folder browsed to. Undefined: dismissed.
 */
export async function pickDatasetFolder(): Promise<vscode.Uri | undefined> {
  const picked = await pickDataset(datasetPickUi(), 'Open which dataset report?');
  return picked && 'folder' in picked ? picked.folder : undefined;
}

/**
 * The folder a caller passed: a Uri (the palette, a Datasets tree item's `command.arguments`), a
 * path, or a tree element carrying one as `uri`, `resourceUri` or `folder`.
 */
export function folderArgument(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value !== '') return vscode.Uri.file(value);
  if (value && typeof value === 'object')
    for (const key of ['uri', 'resourceUri', 'folder'] as const) {
      const inner = (value as Record<string, unknown>)[key];
      if (inner instanceof vscode.Uri) return inner;
    }
  return undefined;
}

/** `steplens.openDatasetReport [folder]`: the report view of a dataset folder (picked when not given). */
export function openDatasetReport(
  context: CommandContext,
  reports: DatasetReports,
  folder?: unknown,
): Promise<DatasetReportView | undefined> {
  return guarded(context, 'Open Dataset Report', async () => {
    const uri = folderArgument(folder) ?? (await pickDatasetFolder());
    if (!uri) return undefined;
    // A judge evaluation has no dataset run's report: its own (F1 by ProcessBench's rules) is report.md.
    if (isJudgeEvaluation(uri.fsPath)) {
      const text = `StepLens: ${basename(uri.fsPath)} is a judge evaluation (Evaluate Judges): its report, report.md, is open. The Dataset Report is for Evaluate Dataset's folders.`;
      context.notices.push(text);
      void vscode.window.showInformationMessage(text);
      await openRendered(context, vscode.Uri.file(join(uri.fsPath, 'report.md')));
      return undefined;
    }
    return reports.show(uri);
  });
}
