import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DatasetNode } from './host/datasetsView.js';
import {
  COMMAND_IDS,
  DATASETS_VIEW_ID,
  EDITOR_PANEL_TYPE,
  QUEUE_PANEL_TYPE,
  REPORT_PANEL_TYPE,
  VIEW_ID,
} from './host/ids.js';
import type { StepLensHost } from './host/main.js';

/** What the integration tests reach through the extension's exports. */
export type StepLensApi = Pick<
  StepLensHost,
  | 'hub'
  | 'reports'
  | 'storage'
  | 'notices'
  | 'dialogs'
  | 'datasets'
  | 'annotators'
  | 'adjudications'
  | 'queues'
>;

/**
 * Wiring only: registers commands, the view and the panel serializer, each of which loads the
 * host bundle on first use. Activation itself loads nothing else.
 */
export function activate(context: vscode.ExtensionContext): StepLensApi {
  let host: StepLensHost | undefined;
  const datasetsChanged = new vscode.EventEmitter<undefined>();
  const load = (): StepLensHost => {
    if (!host) {
      // A separate bundle, required at run time: esbuild leaves a computed path alone.
      const hostModule = require(join(__dirname, 'host.js')) as typeof import('./host/main.js');
      host = hostModule.createStepLens(context, () => datasetsChanged.fire(undefined));
    }
    return host;
  };
  const register = (id: string, handler: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));

  register(COMMAND_IDS.analyzeProblem, (uri?: vscode.Uri) => load().analyzeProblem(uri, false));
  register(COMMAND_IDS.scoreExistingSteps, (uri?: vscode.Uri) => load().analyzeProblem(uri, true));
  register(COMMAND_IDS.evaluateJudges, (uri?: vscode.Uri, uris?: vscode.Uri[]) =>
    load().evaluateJudges(uri, Array.isArray(uris) ? uris : undefined),
  );
  register(COMMAND_IDS.evaluateDataset, (uri?: vscode.Uri, uris?: vscode.Uri[]) =>
    load().evaluateDataset(uri, Array.isArray(uris) ? uris : undefined),
  );
  register(COMMAND_IDS.resumeDataset, (dataset?: unknown) => load().resumeDataset(dataset));
  // Resuming a complete dataset with failed samples is asking them again: it asks first (datasetCommand.ts).
  register(COMMAND_IDS.askFailedAgain, (dataset?: unknown) => load().resumeDataset(dataset));
  register(COMMAND_IDS.refreshDatasets, () => datasetsChanged.fire(undefined));
  register(COMMAND_IDS.openRun, (uri?: vscode.Uri) => load().openRun(uri));
  register(COMMAND_IDS.openDatasetReport, (folder?: unknown) => load().openDatasetReport(folder));
  register(COMMAND_IDS.openAuditQueue, (folder?: unknown) => load().openAuditQueue(folder));
  register(COMMAND_IDS.rescoreRun, () => load().rescoreRun());
  register(COMMAND_IDS.exportAudits, (outDir?: unknown, runPaths?: unknown) =>
    load().exportAudits(
      typeof outDir === 'string' ? outDir : undefined,
      Array.isArray(runPaths)
        ? runPaths.filter((path): path is string => typeof path === 'string')
        : undefined,
    ),
  );
  register(COMMAND_IDS.setApiKey, () => load().setApiKey());
  register(COMMAND_IDS.testConnection, () => load().testConnection());
  register(COMMAND_IDS.showLog, () => load().showLog());
  register(COMMAND_IDS.openInEditor, () => load().openInEditor());
  register(COMMAND_IDS.switchAnnotator, () => load().switchAnnotator());
  register(COMMAND_IDS.adjudicate, (target?: unknown) => load().adjudicate(target));

  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(VIEW_ID, {
      resolveWebviewView: (view, context) => load().hub.resolveWebviewView(view, context.state),
    }),
    vscode.window.registerTreeDataProvider<DatasetNode>(DATASETS_VIEW_ID, {
      onDidChangeTreeData: datasetsChanged.event,
      getChildren: (element) => load().datasets.getChildren(element),
      getTreeItem: (element) => load().datasets.getTreeItem(element),
    }),
    datasetsChanged,
    vscode.window.registerWebviewPanelSerializer(EDITOR_PANEL_TYPE, {
      deserializeWebviewPanel: (panel, state) => load().hub.deserializeWebviewPanel(panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer(REPORT_PANEL_TYPE, {
      deserializeWebviewPanel: (panel, state) => load().reports.restore(panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer(QUEUE_PANEL_TYPE, {
      deserializeWebviewPanel: (panel, state) => load().queues.restore(panel, state),
    }),
    { dispose: () => host?.dispose() },
  );
  return {
    get hub() {
      return load().hub;
    },
    get reports() {
      return load().reports;
    },
    get storage() {
      return load().storage;
    },
    get notices() {
      return load().notices;
    },
    get dialogs() {
      return load().dialogs;
    },
    get datasets() {
      return load().datasets;
    },
    get annotators() {
      return load().annotators;
    },
    get adjudications() {
      return load().adjudications;
    },
    get queues() {
      return load().queues;
    },
  };
}

export function deactivate(): void {}
