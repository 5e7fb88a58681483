/**
 * StepLens: Evaluate Judges — src/jobs/evaluate.ts (the CLI's `steplens evaluate`) on the files
 * right-clicked or selected in the explorer, or the active file: a cancellable progress
 * notification, then the report opened rendered and one message. The judges come from the
 * settings as Analyze uses them, or from the steplens.json that `steplens.evaluation.configFile`
 * names; keys from the same KeyStore resolver as every other command.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { IncomparableFolderError, InputError } from '../core/errors.js';
import { type LoadedConfig, loadConfig } from '../io/configFile.js';
import { pathInside } from '../io/paths.js';
import type { EvaluateOutcome } from '../jobs/evaluate.js';
import { rowsProgressLine } from '../jobs/progressText.js';
import {
  type CommandContext,
  guarded,
  openRendered,
  requireTrust,
  settingsOrThrow,
  warn,
} from './commands.js';
import { EVALUATIONS_DIR, type EvaluationSummary, evaluationName, outcomeMessage } from './evaluationPlan.js';
import { evaluationConfigFile, SECTION } from './settings.js';

/** The subset a PRM's best τ is chosen on, as the CLI's default (ProcessBench: gsm8k). */
const TAU_SUBSET = 'gsm8k';

/** What the command returns (the integration tests read it). */
export interface EvaluateJudgesResult extends EvaluationSummary {
  out: string;
  reportPath: string;
  markdownPath: string;
}

/**
 * The files a command acts on: the explorer's selection, else the file right-clicked, else the
 * active editor's. `kind` names what the command wants in the messages ("a problems file …").
 */
export function targetFiles(
  uri: vscode.Uri | undefined,
  uris: readonly vscode.Uri[] | undefined,
  kind: string,
): vscode.Uri[] {
  const chosen =
    uris && uris.length > 0
      ? [...uris]
      : uri
        ? [uri]
        : vscode.window.activeTextEditor
          ? [vscode.window.activeTextEditor.document.uri]
          : [];
  if (chosen.length === 0)
    throw new InputError({ file: 'no file chosen' }, `open or right-click ${kind} first`);
  for (const file of chosen) {
    const where = { file: vscode.workspace.asRelativePath(file, false) };
    if (file.scheme !== 'file')
      throw new InputError(where, 'not a file on disk (virtual files are not supported)');
    if (!existsSync(file.fsPath) || !statSync(file.fsPath).isFile())
      throw new InputError(where, `not a file: choose ${kind}`);
  }
  return chosen;
}

/** The judges: a steplens.json when the setting names one, else the settings Analyze uses. */
export async function evaluationConfig(
  context: CommandContext,
  root: string,
): Promise<{ loaded: LoadedConfig; source: string }> {
  const named = evaluationConfigFile();
  if (named === undefined) {
    const config = await settingsOrThrow(context);
    return { loaded: { config, templates: {}, templateHashes: {} }, source: 'your StepLens settings' };
  }
  const path = isAbsolute(named) ? named : resolve(root, named);
  if (!existsSync(path))
    throw new InputError(
      { file: path },
      `${SECTION}.evaluation.configFile names this file, which does not exist (a relative path is relative to the workspace folder)`,
    );
  // Its critique templates resolve relative to it; a bad key or template names the file and field.
  return { loaded: await loadConfig(path), source: vscode.workspace.asRelativePath(path, false) };
}

export function evaluateJudges(
  context: CommandContext,
  uri?: vscode.Uri,
  uris?: readonly vscode.Uri[],
): Promise<EvaluateJudgesResult | undefined> {
  return guarded(context, 'Evaluate Judges', async () => {
    requireTrust(context, 'Evaluating judges');
    const targets = targetFiles(uri, uris, 'a ProcessBench or PRM800K file (.json, .jsonl)');
    const files = targets.map((target) => target.fsPath);
    const root = context.storage.rootFor(targets[0]);
    const evaluations = join(root, ...EVALUATIONS_DIR);
    const out = pathInside(
      evaluations,
      evaluationName(files, (name) => existsSync(join(evaluations, name))),
    );
    const folder = vscode.workspace.asRelativePath(out, false);
    const { loaded, source } = await evaluationConfig(context, root);
    const resolveKey = await context.keys.resolverFor(loaded.config);
    const { evaluateDataset } = await import('../jobs/evaluate.js');
    context.log.info(
      `evaluate judges: ${files.length} file(s) into ${out}, judges from ${source} (${loaded.config.protocol} protocol)`,
    );
    const title =
      targets.length === 1
        ? `StepLens: evaluating judges on ${vscode.workspace.asRelativePath(targets[0]!, false)}`
        : `StepLens: evaluating judges on ${targets.length} files`;
    let outcome: EvaluateOutcome;
    try {
      outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          const started = Date.now();
          let reported = 0;
          progress.report({ message: 'reading rows…' });
          return evaluateDataset({
            files,
            loaded,
            out,
            tauSubset: TAU_SUBSET,
            resolveKey,
            signal: controller.signal,
            onProgress: (now) => {
              const percent = now.total === 0 ? 0 : (now.done / now.total) * 100;
              progress.report({
                message: rowsProgressLine(now, (Date.now() - started) / 1000),
                increment: percent - reported,
              });
              reported = percent;
            },
            onEvent: (event) => {
              if (event.type === 'retry')
                context.log.info(`retry ${event.attempt} in ${event.delayMs} ms: ${event.message}`);
              else if (event.type === 'judged' && event.judgement.error)
                context.log.warn(`evaluate: ${event.judge} failed on a row: ${event.judgement.error}`);
            },
          });
        },
      );
    } catch (error) {
      // The job refuses a folder whose finished rows were judged otherwise: say so in the host's terms.
      if (error instanceof IncomparableFolderError)
        throw new InputError(
          { file: folder },
          `holds an evaluation made with other judges, prompts or templates than ${source} now gives, so its rows would not be comparable: delete the folder to start over, or change the judges back`,
        );
      throw error;
    }
    for (const line of outcome.skipped) context.log.warn(`evaluate: skipped ${line}`);
    const summary: EvaluationSummary = {
      folder,
      rows: outcome.rows,
      judged: outcome.judged,
      reused: outcome.reused,
      skipped: outcome.skipped.length,
      withFailure: outcome.withFailure,
      complete: outcome.complete,
    };
    context.log.info(
      `evaluate judges: ${outcome.complete ? 'complete' : 'partial'}, ${outcome.rows} rows, ${outcome.judged} judged, ${outcome.reused} reused, ${outcome.skipped.length} skipped`,
    );
    const report = vscode.Uri.file(outcome.markdownPath);
    await openRendered(context, report);
    const text = outcomeMessage(summary);
    if (!outcome.complete || summary.withFailure > 0) warn(context, text);
    else {
      context.notices.push(text);
      void vscode.window.showInformationMessage(text, 'Open Report').then((choice) => {
        if (choice) void openRendered(context, report);
      });
    }
    return { ...summary, out, reportPath: outcome.reportPath, markdownPath: outcome.markdownPath };
  });
}
