import * as vscode from 'vscode';
import { installSymbolicEquivalence, uninstallSymbolicEquivalence } from '../symbolic/client.js';
import { Adjudications, type AdjudicationView, adjudicate } from './adjudicateView.js';
import { Annotators } from './annotator.js';
import { AuditQueues, type AuditQueueView, openAuditQueue } from './auditQueueView.js';
import {
  analyzeProblem,
  type CommandContext,
  type Dialogs,
  exportAudits,
  openRun,
  rescoreRun,
  setApiKey,
  testConnection,
} from './commands.js';
import { evaluateDataset, resumeDataset } from './datasetCommand.js';
import { DatasetsView, datasetFolderOf } from './datasetsView.js';
import { evaluateJudges } from './evaluate.js';
import { PanelHub } from './panel.js';
import { DatasetReports, type DatasetReportView, openDatasetReport } from './reportView.js';
import { KeyStore } from './secrets.js';
import { ShownRuns } from './shownRuns.js';
import { RunStorage } from './storage.js';

export interface StepLensHost extends vscode.Disposable {
  hub: PanelHub;
  annotators: Annotators;
  reports: DatasetReports;
  adjudications: Adjudications;
  storage: RunStorage;
  notices: readonly string[];
  dialogs: Dialogs;
  datasets: DatasetsView;
  analyzeProblem(uri: vscode.Uri | undefined, existingSteps: boolean): Promise<unknown>;
  evaluateJudges(uri: vscode.Uri | undefined, uris: vscode.Uri[] | undefined): Promise<unknown>;
  evaluateDataset(uri: vscode.Uri | undefined, uris: vscode.Uri[] | undefined): Promise<unknown>;
  /** A dataset folder's path, or the Datasets view's node of it. */
  resumeDataset(dataset: unknown): Promise<unknown>;
  openRun(uri?: vscode.Uri): Promise<unknown>;
  openDatasetReport(folder?: unknown): Promise<DatasetReportView | undefined>;
  /** A dataset folder's path or Uri, or the Datasets view's node of it; picked when absent. */
  openAuditQueue(folder?: unknown): Promise<AuditQueueView | undefined>;
  queues: AuditQueues;
  rescoreRun(): Promise<unknown>;
  exportAudits(outDir?: string, runPaths?: string[]): Promise<unknown>;
  setApiKey(): Promise<unknown>;
  testConnection(): Promise<unknown>;
  showLog(): void;
  openInEditor(): void;
  /** Asks whose labels to save and show from now on. */
  switchAnnotator(): Promise<string | undefined>;
  /** A dataset folder (path, Uri or Datasets node); none: a pick. */
  adjudicate(target?: unknown): Promise<AdjudicationView | undefined>;
}

/** `datasetsChanged` tells the Datasets view (registered at activation) to ask for its items again. */
export function createStepLens(context: vscode.ExtensionContext, datasetsChanged: () => void): StepLensHost {
  const log = vscode.window.createOutputChannel('StepLens', { log: true });
  // Loads nothing yet: compute-engine starts with the first pair of answers the normaliser cannot decide.
  installSymbolicEquivalence();
  const storage = new RunStorage(context.globalStorageUri);
  const keys = new KeyStore(context.secrets);
  const notices: string[] = [];
  const dialogs: Dialogs = { asked: [] };
  let commandContext: CommandContext;
  const annotators = new Annotators(log);
  const hub = new PanelHub(
    context.extensionUri,
    storage,
    log,
    {
      analyzeActiveFile: () => void analyzeProblem(commandContext, undefined, false),
      openRun: () => void openRun(commandContext),
      exportAudits: () => void exportAudits(commandContext),
    },
    annotators,
    new ShownRuns(
      context.workspaceState,
      () => storage.roots(),
      (file) => vscode.workspace.asRelativePath(file, false),
    ),
  );
  const reports = new DatasetReports(context.extensionUri, hub, log);
  commandContext = { hub, storage, keys, log, notices, dialogs, workspaceState: context.workspaceState };
  const datasets = new DatasetsView(datasetsChanged, log);
  const queues = new AuditQueues(context.extensionUri, () => commandContext, annotators);
  const adjudications = new Adjudications(context.extensionUri, storage, annotators, log);
  return {
    hub,
    annotators,
    reports,
    adjudications,
    storage,
    notices,
    dialogs,
    datasets,
    analyzeProblem: (uri, existingSteps) => analyzeProblem(commandContext, uri, existingSteps),
    evaluateJudges: (uri, uris) => evaluateJudges(commandContext, uri, uris),
    evaluateDataset: (uri, uris) => evaluateDataset(commandContext, datasets, uri, uris),
    resumeDataset: (dataset) => resumeDataset(commandContext, datasets, datasetFolderOf(dataset)),
    openRun: (uri) => openRun(commandContext, uri),
    // From the Datasets view the argument is a tree node; elsewhere a folder Uri or path.
    openDatasetReport: (folder) =>
      openDatasetReport(commandContext, reports, datasetFolderOf(folder) ?? folder),
    openAuditQueue: (folder) => openAuditQueue(commandContext, queues, datasetFolderOf(folder)),
    queues,
    rescoreRun: () => rescoreRun(commandContext),
    exportAudits: (outDir, runPaths) => exportAudits(commandContext, outDir, runPaths),
    setApiKey: () => setApiKey(commandContext),
    testConnection: () => testConnection(commandContext),
    showLog: () => log.show(),
    openInEditor: () => hub.openInEditor(),
    switchAnnotator: () => annotators.switchTo(hub.annotatorsOfOpenRun()),
    adjudicate: (target) => adjudicate(commandContext, adjudications, target),
    dispose: () => {
      datasets.dispose();
      queues.dispose();
      reports.dispose();
      adjudications.dispose();
      hub.dispose();
      annotators.dispose();
      log.dispose();
      uninstallSymbolicEquivalence();
    },
  };
}
