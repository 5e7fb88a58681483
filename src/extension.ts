import * as vscode from 'vscode';
import {
  analyzeProblem,
  COMMAND_IDS,
  type CommandContext,
  exportAudits,
  openRun,
  rescoreRun,
  setApiKey,
  testConnection,
} from './host/commands.js';
import { EDITOR_PANEL_TYPE, PanelHub, VIEW_ID } from './host/panel.js';
import { KeyStore } from './host/secrets.js';
import { RunStorage } from './host/storage.js';

/** What the integration tests reach through the extension's exports. */
export interface StepLensApi {
  hub: PanelHub;
  storage: RunStorage;
  /** Errors and warnings shown to the user so far. */
  notices: readonly string[];
}

/** Wiring only: construct, register, dispose. */
export function activate(context: vscode.ExtensionContext): StepLensApi {
  const log = vscode.window.createOutputChannel('StepLens', { log: true });
  const storage = new RunStorage(context.globalStorageUri);
  const keys = new KeyStore(context.secrets);
  let commandContext: CommandContext;
  const hub = new PanelHub(context.extensionUri, storage, log, {
    analyzeActiveFile: () => void analyzeProblem(commandContext, undefined, false),
    openRun: () => void openRun(commandContext),
    exportAudits: () => void exportAudits(commandContext),
  });
  commandContext = { hub, storage, keys, log, notices: [] };

  const register = (id: string, handler: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  register(COMMAND_IDS.analyzeProblem, (uri?: vscode.Uri) => analyzeProblem(commandContext, uri, false));
  register(COMMAND_IDS.scoreExistingSteps, (uri?: vscode.Uri) => analyzeProblem(commandContext, uri, true));
  register(COMMAND_IDS.openRun, (uri?: vscode.Uri) => openRun(commandContext, uri));
  register(COMMAND_IDS.rescoreRun, () => rescoreRun(commandContext));
  register(COMMAND_IDS.exportAudits, (outDir?: unknown, runPaths?: unknown) =>
    exportAudits(
      commandContext,
      typeof outDir === 'string' ? outDir : undefined,
      Array.isArray(runPaths)
        ? runPaths.filter((path): path is string => typeof path === 'string')
        : undefined,
    ),
  );
  register(COMMAND_IDS.setApiKey, () => setApiKey(commandContext));
  register(COMMAND_IDS.testConnection, () => testConnection(commandContext));
  register(COMMAND_IDS.showLog, () => log.show());
  register(COMMAND_IDS.openInEditor, () => hub.openInEditor());

  context.subscriptions.push(
    log,
    hub,
    vscode.window.registerWebviewViewProvider(VIEW_ID, hub),
    vscode.window.registerWebviewPanelSerializer(EDITOR_PANEL_TYPE, hub),
  );
  return { hub, storage, notices: commandContext.notices };
}

export function deactivate(): void {}
