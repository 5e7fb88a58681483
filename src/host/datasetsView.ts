/**
 * The Datasets view in StepLens's activity-bar container: every `.steplens/datasets/*` folder of
 * the workspace with its problems finished of total, complete / partial / running and cost;
 * expanded, its finished problems (from dataset.json), each opening its run in the panel. A
 * partial dataset resumes on click, a complete one opens its report; one whose every sample failed
 * has no report: its click says so and offers to ask the samples again. Refreshed by the command as
 * problems finish and by a file watcher (datasets run from the CLI in a terminal).
 */
import * as vscode from 'vscode';
import { runFileOf } from '../jobs/datasetFailures.js';
import {
  clickText,
  type DatasetStatus,
  datasetHealth,
  failureLines,
  listDatasets,
  problemDescription,
  readIndex,
  SOURCE_FILE,
  statusDescription,
  statusIcon,
} from './datasetPlan.js';
import { COMMAND_IDS } from './ids.js';

export type DatasetNode =
  | { kind: 'dataset'; status: DatasetStatus }
  | { kind: 'problem'; id: string; runPath: string; description: string }
  | { kind: 'note'; key: string; text: string; tooltip?: string };

export class DatasetsView implements vscode.Disposable {
  private readonly running = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** How many times the tree was told to refresh (the tests wait on it). */
  refreshes = 0;

  constructor(
    private readonly fire: () => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Datasets run from a terminal (the CLI) show up too. Journal lines are appended per sample:
    // only their creation and removal matter here.
    const watcher = vscode.workspace.createFileSystemWatcher('**/.steplens/datasets/**');
    const later = (uri: vscode.Uri, change: boolean) => {
      if (change && uri.path.endsWith('.journal.jsonl')) return;
      this.changed();
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => later(uri, false)),
      watcher.onDidChange((uri) => later(uri, true)),
      watcher.onDidDelete((uri) => later(uri, false)),
    );
  }

  isRunning(out: string): boolean {
    return this.running.has(out);
  }

  started(out: string): void {
    this.running.add(out);
    this.refresh();
  }

  finished(out: string): void {
    this.running.delete(out);
    this.refresh();
  }

  /** Something changed on disk: refresh once things settle (at most every half second). */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, 500);
  }

  refresh(): void {
    this.refreshes += 1;
    this.fire();
  }

  async getChildren(element?: DatasetNode): Promise<DatasetNode[]> {
    if (!element) {
      const roots = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
      const lists = await Promise.all(roots.map((root) => listDatasets(root, (out) => this.isRunning(out))));
      return lists.flat().map((status) => ({ kind: 'dataset', status }));
    }
    if (element.kind !== 'dataset') return [];
    const { status } = element;
    const nodes: DatasetNode[] = [];
    try {
      const index = await readIndex(status.out);
      for (const problem of index?.problems ?? []) {
        try {
          nodes.push({
            kind: 'problem',
            id: problem.id,
            runPath: runFileOf(status.out, problem.run),
            description: problemDescription(problem),
          });
        } catch (error) {
          this.log.warn(
            `datasets: ${status.name}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      if (!index && status.finished > 0)
        nodes.push({
          kind: 'note',
          key: `${status.out}#noindex`,
          text: `${status.finished} finished; the list appears once a run writes dataset.json`,
        });
    } catch (error) {
      nodes.push({
        kind: 'note',
        key: `${status.out}#error`,
        text: 'dataset.json cannot be read',
        tooltip: error instanceof Error ? error.message : String(error),
      });
    }
    const listed = nodes.filter((node) => node.kind === 'problem').length;
    if (status.total !== undefined && status.total > listed && status.state !== 'complete')
      nodes.push({
        kind: 'note',
        key: `${status.out}#left`,
        text: `${status.total - listed} problem(s) not finished yet`,
      });
    return nodes;
  }

  getTreeItem(element: DatasetNode): vscode.TreeItem {
    if (element.kind === 'note') {
      const item = new vscode.TreeItem(element.text, vscode.TreeItemCollapsibleState.None);
      item.id = element.key;
      if (element.tooltip) item.tooltip = element.tooltip;
      return item;
    }
    if (element.kind === 'problem') {
      // The id comes from the problems file: shown as a plain label, never as Markdown.
      const item = new vscode.TreeItem(element.id, vscode.TreeItemCollapsibleState.None);
      item.id = element.runPath;
      item.description = element.description;
      item.tooltip = `${element.id}\n${vscode.workspace.asRelativePath(element.runPath, false)}`;
      item.iconPath = new vscode.ThemeIcon('symbol-numeric');
      item.contextValue = 'steplens.datasetProblem';
      item.command = {
        command: COMMAND_IDS.openRun,
        title: 'Open Run',
        arguments: [vscode.Uri.file(element.runPath)],
      };
      return item;
    }
    const { status } = element;
    const item = new vscode.TreeItem(status.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = status.out;
    item.description = statusDescription(status);
    // The menus read failures from it: a complete dataset's failed samples can be asked again, and
    // one whose every sample failed has no report, queue or adjudication to offer.
    const health = datasetHealth(status);
    item.contextValue = `steplens.dataset.${status.state}${
      status.state !== 'complete' || health === 'clean'
        ? ''
        : health === 'all-failed'
          ? '.allFailed'
          : '.someFailed'
    }`;
    const icon = statusIcon(status);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    const source = status.source;
    // Plain text: problem ids and stored errors come from files, never rendered as Markdown.
    item.tooltip = [
      vscode.workspace.asRelativePath(status.out, false),
      source
        ? `${source.files.join(', ')} · k = ${source.k} · judges ${source.judges.join(', ') || 'none'}`
        : `no ${SOURCE_FILE}: made outside VS Code`,
      `${status.finished} finished${status.total === undefined ? '' : ` of ${status.total}`}${status.inProgress > 0 ? `, ${status.inProgress} in progress` : ''}`,
      ...failureLines(status),
      clickText(status),
      ...status.problemsReading,
    ].join('\n');
    // A report of no usable sample would be an empty page: the click explains and offers a retry.
    if (status.state === 'complete' && health === 'all-failed')
      item.command = { command: COMMAND_IDS.resumeDataset, title: 'Ask Again', arguments: [status.out] };
    else if (status.state === 'complete')
      item.command = {
        command: COMMAND_IDS.openDatasetReport,
        title: 'Open Report',
        arguments: [status.out],
      };
    else if (status.state === 'partial')
      item.command = { command: COMMAND_IDS.resumeDataset, title: 'Resume', arguments: [status.out] };
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** The dataset folder a command was given: a path (a tree item's command) or a tree node (a menu). */
export function datasetFolderOf(argument: unknown): string | undefined {
  if (typeof argument === 'string') return argument;
  if (argument instanceof vscode.Uri) return argument.fsPath;
  const node = argument as Partial<DatasetNode> | undefined;
  return node?.kind === 'dataset' && node.status ? node.status.out : undefined;
}
