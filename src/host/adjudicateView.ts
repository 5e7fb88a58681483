/**
 * "StepLens: Adjudicate Labels…": a webview listing where annotators disagree over a dataset
 * folder's runs (or the run open in the panel), settled one item at a time from the keyboard
 * (webview/adjudicate/). Every adjudication is saved through saveAudit with `adjudicated: true`
 * under this window's annotator, to the same audit log writer the panel uses, and answered only
 * once it is on disk.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { adjudicateHtml } from '../adjudicateHtml.js';
import type { AdjudicationItem } from '../core/adjudication.js';
import { readRun } from '../io/runFiles.js';
import { errorText } from '../llm/credentials.js';
import {
  type AdjudicateHostMessage,
  type AdjudicateWebviewMessage,
  parseAdjudicateWebviewMessage,
} from '../protocol.js';
import { createNonce } from '../webviewHtml.js';
import { AdjudicationLogs, type AdjudicationSource } from './adjudicateLogs.js';
import { saveAdjudication } from './adjudicateSave.js';
import type { Annotators } from './annotator.js';
import { type CommandContext, guarded } from './commands.js';
import { datasetFolderOf } from './datasetsView.js';
import { workspaceDatasets } from './reportView.js';
import type { RunStorage } from './storage.js';
import { watchFollower } from './watchLogs.js';
import { webviewAssets } from './webviewAssets.js';

export const ADJUDICATE_PANEL_TYPE = 'steplens.adjudicate';

export type { AdjudicationSource };

/** The runs of a dataset folder (`runs/*.json`), in file-name order; unreadable ones are logged and left out. */
export async function datasetRuns(
  folder: string,
  log: vscode.LogOutputChannel,
): Promise<AdjudicationSource[]> {
  const dir = join(folder, 'runs');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new Error(`${dir} cannot be read: ${errorText(error)}`);
  }
  const sources: AdjudicationSource[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      sources.push({ path, run: await readRun(path) });
    } catch (error) {
      log.warn(`Adjudicate: skipped ${path}: ${errorText(error)}`);
    }
  }
  return sources;
}

export class AdjudicationView implements vscode.Disposable {
  /** What was last sent to the page (the tests read it). */
  lastSent: AdjudicateHostMessage | undefined;
  ready = false;
  private readonly logs: AdjudicationLogs;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly title: string,
    sources: readonly AdjudicationSource[],
    private readonly extensionUri: vscode.Uri,
    private readonly storage: RunStorage,
    private readonly annotators: Pick<Annotators, 'current' | 'onDidChange'>,
    private readonly log: vscode.LogOutputChannel,
    onDispose: () => void,
  ) {
    this.logs = new AdjudicationLogs(
      sources,
      (path, runId) => storage.events(path, runId),
      (message) => log.warn(message),
    );
    // Labels made meanwhile in the panel, the queue or another window: read when their log changes.
    const follower = this.logs.follow(async (items) => {
      // Before `ready` the page is sent every log on its ready.
      if (this.ready) await this.post(items);
    });
    this.disposables.push(
      watchFollower(follower),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      annotators.onDidChange(() => {
        if (this.ready) void this.sendItems();
      }),
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
  }

  setPage(): void {
    const webview = this.panel.webview;
    this.ready = false;
    const assets = webviewAssets(webview, this.extensionUri);
    webview.html = adjudicateHtml({
      nonce: createNonce(),
      cspSource: webview.cspSource,
      scriptUri: assets.uri('adjudicate.js'),
      deferred: assets.deferred,
      title: this.title,
    });
  }

  /** Reads the logs afresh (every run's, or only `only`'s after a save there) and sends the items. */
  async sendItems(only?: readonly string[]): Promise<void> {
    await this.post((await this.logs.items(only)).items);
  }

  private async post(items: AdjudicationItem[]): Promise<void> {
    const message: AdjudicateHostMessage = {
      type: 'adjudicate/items',
      title: this.title,
      annotator: await this.annotators.current(),
      items,
    };
    this.lastSent = message;
    await this.panel.webview.postMessage(message);
  }

  async receive(raw: unknown): Promise<void> {
    const message = parseAdjudicateWebviewMessage(raw);
    if (!message) {
      this.log.warn(
        `ignored an adjudication message that does not parse: ${JSON.stringify(raw)?.slice(0, 200)}`,
      );
      return;
    }
    await this.onMessage(message);
  }

  private async onMessage(message: AdjudicateWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.sendItems();
        break;
      case 'audit/append': {
        const reply = await saveAdjudication(
          message,
          this.logs.runs(),
          (run, event) => this.storage.writer(run.path, run.runId).append(event),
          await this.annotators.current(),
        );
        if (reply.type === 'audit/failed')
          this.log.error(`could not save an adjudication for run ${message.runId}: ${reply.message}`);
        await this.panel.webview.postMessage(reply);
        // One adjudication can settle another item of the same sample.
        if (reply.type === 'audit/saved') await this.sendItems([message.runId]);
        break;
      }
      case 'log/error':
        this.log.error(`adjudication page: ${message.message}`);
        break;
    }
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/** The open adjudication views, one per dataset folder or run: opening one again brings it forward. */
export class Adjudications implements vscode.Disposable {
  readonly views = new Map<string, AdjudicationView>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly storage: RunStorage,
    private readonly annotators: Pick<Annotators, 'current' | 'onDidChange'>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  show(key: string, title: string, sources: readonly AdjudicationSource[]): AdjudicationView {
    const open = this.views.get(key);
    if (open) open.dispose();
    open?.panel.dispose();
    const panel = vscode.window.createWebviewPanel(
      ADJUDICATE_PANEL_TYPE,
      `Adjudicate · ${title}`,
      vscode.ViewColumn.Active,
      { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'steplens.svg');
    const view = new AdjudicationView(
      panel,
      title,
      sources,
      this.extensionUri,
      this.storage,
      this.annotators,
      this.log,
      () => {
        if (this.views.get(key) === view) this.views.delete(key);
      },
    );
    this.views.set(key, view);
    view.setPage();
    return view;
  }

  dispose(): void {
    for (const view of this.views.values()) view.panel.dispose();
    this.views.clear();
  }
}

/** What to adjudicate when the palette gives nothing: the run in the panel, or a dataset folder. */
async function pickTarget(context: CommandContext): Promise<{ folder?: string; run?: true } | undefined> {
  const session = context.hub.current;
  const folders = await workspaceDatasets();
  const items: (vscode.QuickPickItem & { folder?: string; run?: true })[] = [
    ...(session
      ? [
          {
            label: `$(file) Run open in the panel: ${session.run.id}`,
            description: session.run.problem.id,
            run: true as const,
          },
        ]
      : []),
    ...folders.map((uri) => ({
      label: `$(database) ${basename(uri.fsPath)}`,
      detail: vscode.workspace.asRelativePath(uri, false),
      folder: uri.fsPath,
    })),
  ];
  if (items.length === 0)
    throw new Error('no run is open and this workspace has no dataset folder to adjudicate');
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Adjudicate the labels of…',
    matchOnDetail: true,
  });
  return picked && (picked.run ? { run: true } : picked.folder ? { folder: picked.folder } : undefined);
}

/** `steplens.adjudicate [folder]`: a dataset folder (Datasets view menu), else a pick including the open run. */
export function adjudicate(
  context: CommandContext,
  views: Adjudications,
  argument?: unknown,
): Promise<AdjudicationView | undefined> {
  return guarded(context, 'Adjudicate Labels', async () => {
    const given = datasetFolderOf(argument);
    const target = given !== undefined ? { folder: given } : await pickTarget(context);
    if (!target) return undefined;
    if (target.folder !== undefined) {
      const sources = await datasetRuns(target.folder, context.log);
      return views.show(target.folder, basename(target.folder), sources);
    }
    const session = context.hub.current;
    if (!session) throw new Error('no run is open in the panel');
    return views.show(session.path, session.run.id, [{ path: session.path, run: session.run }]);
  });
}
