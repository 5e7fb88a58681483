/**
 * The panels: the side view in StepLens's activity-bar container and any number of editor panels
 * ("Open in Editor", restored after a window reload). All show the same session: the run being
 * analyzed or the run last opened. Posts wait for each panel's `ready`; every message from a panel
 * is parsed with zod and dropped when it does not parse.
 */
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import { annotatorOf, eventsOfAnnotator, UNNAMED_ANNOTATOR } from '../core/annotators.js';
import { sameAuditEvents } from '../core/audit.js';
import { applyLiveUpdate, type LiveUpdate } from '../core/live.js';
import type { AuditEvent, Judgement, Run, Sample } from '../core/schemas.js';
import { describeSkipped } from '../io/auditLog.js';
import { errorText } from '../llm/credentials.js';
import {
  type HostMessage,
  type PanelFocus,
  parseWebviewMessage,
  type SkippedLines,
  skippedLines,
  type WebviewMessage,
} from '../protocol.js';
import { createNonce, panelHtml } from '../webviewHtml.js';
import type { Annotators } from './annotator.js';
import { saveAudit } from './auditSave.js';
import { EDITOR_PANEL_TYPE, VIEW_ID } from './ids.js';
import { LogFollower, Turns } from './logFollower.js';
import type { ShownRuns } from './shownRuns.js';
import type { RunStorage } from './storage.js';
import { watchFollower } from './watchLogs.js';
import { webviewAssets } from './webviewAssets.js';

interface Session {
  run: Run;
  /** Where the run is (or will be) saved; audit events go beside it. */
  path: string;
  /** Every annotator's events; a panel is sent only its annotator's own. */
  events: AuditEvent[];
  /** Lines of the audit log that could not be read when the run was opened. */
  skipped: SkippedLines | undefined;
  /** Where the panels are to go (the Dataset Report opened a problem at a step); sent with every show. */
  focus?: PanelFocus;
}

interface Connection {
  webview: vscode.Webview;
  ready: boolean;
  queue: HostMessage[];
  /**
   * A panel VS Code restored (a window reload) loads the run it showed before its page is told
   * anything; resolves to what the page is to say instead when that run cannot come back.
   */
  restoring?: Promise<string | undefined>;
}

export interface PanelCommands {
  analyzeActiveFile(): void;
  openRun(): void;
  exportAudits(): void;
}

export class PanelHub
  implements vscode.WebviewViewProvider, vscode.WebviewPanelSerializer, vscode.Disposable
{
  private session: Session | undefined;
  /** Every run shown in this window, by id: a label typed just before another run opened still finds its log. */
  private readonly shownRuns = new Map<string, string>();
  private readonly connections = new Set<Connection>();
  /** The side view once VS Code has resolved it, and the editor panels open now: what reveal() brings forward. */
  private view: vscode.WebviewView | undefined;
  private readonly editorPanels = new Set<vscode.WebviewPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  /**
   * Names each focus request, so that a panel goes there once. A page's saved state outlives this
   * host (a window reload restores the page with the last id it went to): counting from the clock,
   * a new host's first request never repeats an id a restored page has seen.
   */
  private focusRequests = Date.now();
  /** Whose labels the panels show and save; brought up to date before anything is shown. */
  private annotator = UNNAMED_ANNOTATOR;
  /**
   * The open session's audit log followed on disk: labels saved for its run by the audit queue,
   * another window or an import reach the panels without the run being opened again.
   */
  private sessionLog: vscode.Disposable | undefined;
  /**
   * This window's appends and the follower's reads of the session log, one at a time: such a read
   * never sees a label appended here that the session has not recorded yet (it would then be
   * recorded twice). The read when a run opens is not in turn: a label saved meanwhile is put
   * right by the follower's next read, which its own write sets off.
   */
  private readonly logTurns = new Turns();
  /** Restores under way, by run id: the side view and an editor panel restored together read the run once. */
  private readonly restores = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly storage: RunStorage,
    private readonly log: vscode.LogOutputChannel,
    private readonly commands: PanelCommands,
    private readonly annotators: Pick<Annotators, 'current' | 'onDidChange'>,
    /** Which file each run shown came from: what a panel restored after a window reload opens. */
    private readonly shownFiles: ShownRuns,
  ) {
    this.disposables.push(
      annotators.onDidChange((name) => {
        if (name === this.annotator) return;
        this.annotator = name;
        // Another person's labels: the panels replay theirs from scratch.
        if (this.session) this.broadcast(this.showMessage(this.session));
      }),
    );
  }

  /** The labels the panels show now: the current annotator's own events of the open run. */
  get shownEvents(): AuditEvent[] {
    return this.session ? eventsOfAnnotator(this.session.events, this.annotator) : [];
  }

  /** Everyone who labelled the run shown now: the names Switch Annotator offers first. */
  annotatorsOfOpenRun(): string[] {
    return [...new Set((this.session?.events ?? []).map(annotatorOf))];
  }

  private async currentAnnotator(): Promise<string> {
    this.annotator = await this.annotators.current();
    return this.annotator;
  }

  get current(): Session | undefined {
    return this.session;
  }

  /** How many panels are listening: the tests use it to see a panel open. */
  get readyPanels(): number {
    return [...this.connections].filter((connection) => connection.ready).length;
  }

  // -------------------------------------------------------------------------------------------
  // Panels

  /**
   * `state` is what the view's page saved before. VS Code resolves the view again each time it is
   * shown after being hidden: its run comes back only in a window that shows none yet (a reload),
   * never in place of the run another panel opened meanwhile.
   */
  async resolveWebviewView(view: vscode.WebviewView, state?: unknown): Promise<void> {
    this.view = view;
    this.disposables.push(
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
    await this.connect(view.webview, view.onDidDispose, this.session ? undefined : state).restoring;
  }

  private trackEditorPanel(panel: vscode.WebviewPanel, state?: unknown): Connection {
    this.editorPanels.add(panel);
    this.disposables.push(panel.onDidDispose(() => this.editorPanels.delete(panel)));
    return this.connect(panel.webview, panel.onDidDispose, state);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    await this.trackEditorPanel(panel, state).restoring;
  }

  /**
   * Loads the run a restored panel's page showed (the id in its saved state), from the file it was
   * shown from: a dataset's run is not in the workspace's runs folder, where an id alone is found.
   * Resolves to what the panel says when the run cannot come back, naming it.
   */
  private restoreRun(state: unknown): Promise<string | undefined> {
    const runId = (state as { runId?: unknown } | undefined)?.runId;
    if (typeof runId !== 'string' || this.session?.run.id === runId) return Promise.resolve(undefined);
    let restore = this.restores.get(runId);
    if (!restore) {
      // Never rejects: the page waits for it before it is told anything at all.
      restore = this.restoreRunNow(runId)
        .catch((error: unknown) => {
          const note = `The run this panel showed (${runId}) could not be found: ${errorText(error)}`;
          this.log.warn(note);
          return note;
        })
        .finally(() => this.restores.delete(runId));
      this.restores.set(runId, restore);
    }
    return restore;
  }

  private async restoreRunNow(runId: string): Promise<string | undefined> {
    const found = (await this.shownFiles.find(runId)) ?? (await this.foundInRuns(runId));
    if ('note' in found) {
      this.log.warn(found.note);
      return found.note;
    }
    if (this.session?.run.id === runId) return undefined;
    try {
      // A panel restored with the window stays where the window put it.
      await this.loadRunFile(found.file);
      return undefined;
    } catch (error) {
      const note = `The run this panel showed (${runId}) could not be opened from ${vscode.workspace.asRelativePath(found.file, false)}: ${errorText(error)}`;
      this.log.warn(note);
      return note;
    }
  }

  /** A run no panel is remembered to have shown (a page saved by an older version): by id, in the runs folders. */
  private async foundInRuns(runId: string): Promise<{ file: string } | { note: string }> {
    const file = await this.storage.findById(runId);
    return file
      ? { file }
      : {
          note: `The run this panel showed (${runId}) is not among this workspace's saved runs any more. Open a run, or analyze a problem file.`,
        };
  }

  openInEditor(): void {
    const panel = vscode.window.createWebviewPanel(
      EDITOR_PANEL_TYPE,
      'StepLens',
      vscode.ViewColumn.Beside,
      this.webviewOptions(),
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'steplens.svg');
    this.trackEditorPanel(panel);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
  }

  private connect(webview: vscode.Webview, onDispose: vscode.Event<void>, state?: unknown): Connection {
    webview.options = this.webviewOptions();
    const assets = webviewAssets(webview, this.extensionUri);
    webview.html = panelHtml({
      title: 'StepLens',
      nonce: createNonce(),
      cspSource: webview.cspSource,
      scriptUri: assets.uri('webview.js'),
      styleUri: assets.uri('webview.css'),
      deferred: assets.deferred,
    });
    const connection: Connection = { webview, ready: false, queue: [] };
    if (state !== undefined) connection.restoring = this.restoreRun(state);
    this.connections.add(connection);
    const listener = webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseWebviewMessage(raw);
      if (!message) {
        this.log.warn(`ignored a panel message that does not parse: ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      void this.onMessage(connection, message);
    });
    this.disposables.push(
      listener,
      onDispose(() => {
        this.connections.delete(connection);
        listener.dispose();
      }),
    );
    return connection;
  }

  /** Messages posted, by type: a live run must send deltas, not the whole run per update. */
  readonly sent = new Map<HostMessage['type'], number>();
  /** When a panel last said it painted a run, by run id (Date.now()): the integration suite times opening a run. */
  readonly painted = new Map<string, number>();

  private post(connection: Connection, message: HostMessage): void {
    this.sent.set(message.type, (this.sent.get(message.type) ?? 0) + 1);
    if (connection.ready) void connection.webview.postMessage(message);
    else connection.queue.push(message);
  }

  private broadcast(message: HostMessage, except?: Connection): void {
    for (const connection of this.connections) if (connection !== except) this.post(connection, message);
  }

  private showMessage(session: Session): HostMessage {
    const { run, events, skipped, focus } = session;
    return {
      type: 'run/show',
      run,
      events: eventsOfAnnotator(events, this.annotator),
      readOnly: false,
      ...(skipped ? { skipped } : {}),
      ...(focus ? { focus } : {}),
    };
  }

  private async onMessage(connection: Connection, message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        // Not ready until its run is loaded: the page is shown that run once, not an empty panel first.
        const note = await connection.restoring;
        connection.restoring = undefined;
        connection.ready = true;
        // A panel that was open before gets the current state, not a replay of stale deltas.
        connection.queue = [];
        await this.currentAnnotator();
        if (this.session) this.post(connection, this.showMessage(this.session));
        else this.post(connection, { type: 'view/empty', message: note ?? (await this.emptyMessage()) });
        break;
      }
      case 'audit/append':
        await this.appendAudit(connection, message);
        break;
      case 'panel/openInEditor':
        this.openInEditor();
        break;
      case 'command/run':
        if (message.command === 'analyzeActiveFile') this.commands.analyzeActiveFile();
        else if (message.command === 'openRun') this.commands.openRun();
        else this.commands.exportAudits();
        break;
      case 'log/error':
        this.log.error(`panel: ${message.message}`);
        break;
      case 'panel/painted':
        // The first panel to paint it counts; the suite clears the entry before it opens the run.
        if (!this.painted.has(message.runId)) this.painted.set(message.runId, Date.now());
        break;
    }
  }

  private async emptyMessage(): Promise<string> {
    const runs = await this.storage.list();
    return runs.length > 0
      ? `No run is open. ${runs.length} run(s) are saved in this workspace: open one, or analyze a problem file.`
      : 'No run yet. Right-click a problem file (.md, .txt, .json, .jsonl) and choose "StepLens: Analyze Problem".';
  }

  /** Saves a label and answers the panel that sent it: saved once the log has it, or failed. */
  private async appendAudit(
    connection: Connection,
    request: Extract<WebviewMessage, { type: 'audit/append' }>,
  ): Promise<void> {
    await this.logTurns.take(() => this.appendAuditNow(connection, request));
  }

  private async appendAuditNow(
    connection: Connection,
    request: Extract<WebviewMessage, { type: 'audit/append' }>,
  ): Promise<void> {
    const path = this.shownRuns.get(request.runId);
    const before = this.session;
    const annotator = await this.currentAnnotator();
    let saved: AuditEvent | undefined;
    const reply = await saveAudit(
      request,
      path === undefined
        ? undefined
        : {
            runId: request.runId,
            append: (event) => {
              saved = event;
              return this.storage.writer(path, request.runId).append(event);
            },
          },
      { annotator },
    );
    if (reply.type === 'audit/failed') {
      this.log.error(`could not save a label for run ${request.runId}: ${reply.message}`);
    } else if (this.session?.run.id === request.runId) {
      // The open session is read after the write: the run may have been reopened meanwhile, and
      // then its events were read from the log either side of this line, so read them again.
      const current = this.session;
      if (current === before && saved) current.events.push(saved);
      else current.events = (await this.storage.events(current.path, current.run.id)).events;
      // Other open panels show the same run: bring them up to date.
      if (this.connections.size > 1) this.broadcast(this.showMessage(current), connection);
    }
    // A panel closed while its label was being written has no one left to tell.
    if (this.connections.has(connection)) this.post(connection, reply);
  }

  // -------------------------------------------------------------------------------------------
  // What the panels show

  /**
   * Shows a saved run and brings a panel to the front (focus goes to it unless `preserveFocus`);
   * with `at`, the panels select that sample and step (and PRM), even when the run is shown already.
   */
  async showRunFile(
    path: string,
    preserveFocus = false,
    at?: { sample: number; step: number; prm?: string },
  ): Promise<Run> {
    const run = await this.loadRunFile(path, at ? { id: ++this.focusRequests, ...at } : undefined);
    await this.reveal(preserveFocus);
    return run;
  }

  private async loadRunFile(path: string, focus?: PanelFocus): Promise<Run> {
    const { run } = await this.storage.open(path);
    const log = await this.storage.events(path, run.id);
    await this.currentAnnotator();
    for (const line of describeSkipped(this.storage.auditPath(path, run.id), log.skipped))
      this.log.warn(`skipped ${line}`);
    const skipped = skippedLines(this.storage.auditPath(path, run.id), log.skipped);
    this.session = { run, path, events: log.events, skipped, ...(focus ? { focus } : {}) };
    this.rememberShown(run.id, path);
    this.followSessionLog(this.session);
    this.broadcast(this.showMessage(this.session));
    return run;
  }

  private rememberShown(runId: string, path: string): void {
    this.shownRuns.set(runId, path);
    this.shownFiles
      .remember(runId, path)
      .catch((error: unknown) =>
        this.log.warn(`could not remember where run ${runId} is: ${errorText(error)}`),
      );
  }

  private followSessionLog(session: Session): void {
    this.sessionLog?.dispose();
    const log = resolve(this.storage.auditPath(session.path, session.run.id));
    this.sessionLog = watchFollower(
      new LogFollower(new Map([[log, session.run.id]]), () =>
        this.logTurns.take(() => this.rereadSessionLog(session)),
      ),
    );
  }

  /**
   * The session's log changed on disk: the panels get the labels alone (not the run again, which
   * would reset their undo history), and only when the current annotator's labels differ.
   */
  private async rereadSessionLog(session: Session): Promise<void> {
    if (this.session !== session) return;
    try {
      const { events } = await this.storage.events(session.path, session.run.id);
      if (this.session !== session || sameAuditEvents(events, session.events)) return;
      const shown = eventsOfAnnotator(session.events, this.annotator);
      session.events = events;
      const now = eventsOfAnnotator(events, this.annotator);
      if (!sameAuditEvents(now, shown))
        this.broadcast({ type: 'run/labels', runId: session.run.id, events: now });
    } catch (error) {
      this.log.warn(`could not read the changed labels of run ${session.run.id}: ${errorText(error)}`);
    }
  }

  /**
   * A new analysis (or a rescore): panels show it from its first moment and fill in as deltas
   * arrive. The session exists before this returns, because the pipeline's next events come at
   * once: a row's own steps are "sampled" in the same tick as the run starts, and a delta for a run
   * that is not the session's is dropped. The audit log (a rescored run has one) follows.
   */
  beginLive(run: Run, path: string): void {
    const session: Session = { run, path, events: [], skipped: undefined };
    this.session = session;
    this.rememberShown(run.id, path);
    this.followSessionLog(session);
    this.broadcast(this.showMessage(session));
    void this.reveal(true);
    void this.storage.events(path, run.id).then(
      (log) => {
        if (this.session !== session || (log.events.length === 0 && log.skipped.length === 0)) return;
        session.events = log.events;
        session.skipped = skippedLines(this.storage.auditPath(path, run.id), log.skipped);
        this.broadcast(this.showMessage(session));
      },
      (error: unknown) => this.log.error(`could not read the labels of run ${run.id}: ${String(error)}`),
    );
  }

  liveSample(runId: string, sample: Sample): void {
    this.applyLive({ type: 'run/sample', runId, sample });
  }

  liveJudgement(runId: string, sample: number, judge: string, judgement: Judgement): void {
    this.applyLive({ type: 'run/judgement', runId, sample, judge, judgement });
  }

  liveProgress(
    runId: string,
    progress: { sampled: number; sampleTotal: number; judged: number; judgeTotal: number },
  ): void {
    const session = this.liveSession(runId);
    if (!session) return;
    this.broadcast({ type: 'run/progress', runId, status: session.run.status, progress });
  }

  finishLive(run: Run): void {
    this.applyLive({
      type: 'run/finished',
      runId: run.id,
      status: run.status,
      rerank: run.rerank,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    });
    // The pipeline's own run is the record: a panel that connects from now on gets all of it.
    const session = this.liveSession(run.id);
    if (session) session.run = run;
  }

  /**
   * One delta, applied to the session by the same function each panel applies it with, then sent
   * on; a delta that does not apply (another run, a judgement of a sample not seen) is not sent.
   */
  private applyLive(update: Exclude<LiveUpdate, { type: 'run/progress' }>): void {
    const session = this.liveSession(update.runId);
    if (!session) return;
    const next = applyLiveUpdate(session.run, update);
    if (next === session.run) return;
    session.run = next;
    this.broadcast(update);
  }

  private liveSession(runId: string): Session | undefined {
    return this.session?.run.id === runId ? this.session : undefined;
  }

  /**
   * Brings a panel showing the session into sight: nothing to do when one is visible; else the
   * editor panel last opened, else the side view. A side view VS Code has not resolved yet (a
   * fresh window) can only be opened by focusing it; focus then goes back to the editor when asked.
   */
  private async reveal(preserveFocus: boolean): Promise<void> {
    const panels = [...this.editorPanels];
    if (this.view?.visible || panels.some((panel) => panel.visible)) return;
    const panel = panels.at(-1);
    if (panel) panel.reveal(panel.viewColumn, preserveFocus);
    else if (this.view) this.view.show(preserveFocus);
    else {
      const editor = vscode.window.activeTextEditor;
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
      if (preserveFocus && editor)
        await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    }
  }

  dispose(): void {
    this.sessionLog?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
    this.connections.clear();
  }
}
