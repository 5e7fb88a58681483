/**
 * The annotator of this window: `steplens.annotator` from the user's settings only (a cloned
 * repository's settings must not label everyone who opens it as one person), else git's user.name,
 * else the OS user. Shown in the status bar; "StepLens: Switch Annotator" changes it.
 */
import * as vscode from 'vscode';
import { UNNAMED_ANNOTATOR } from '../core/annotators.js';
import { AnnotatorSchema } from '../core/schemas.js';
import { type ResolvedAnnotator, resolveAnnotator } from '../io/annotatorName.js';
import { SECTION } from './settings.js';

const SETTING = 'annotator';

const ORIGIN_TEXT: Record<ResolvedAnnotator['origin'], string> = {
  setting: 'from steplens.annotator',
  git: "from git's user.name",
  os: 'from the OS user',
  none: 'no name found: set steplens.annotator',
};

function userSetting(): string | undefined {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>(SETTING);
  return inspected?.globalValue;
}

export class Annotators implements vscode.Disposable {
  private resolved: Promise<ResolvedAnnotator>;
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the new name whenever the annotator changes. */
  readonly onDidChange = this.changed.event;
  private readonly status = vscode.window.createStatusBarItem(
    'steplens.annotator',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.status.name = 'StepLens annotator';
    this.status.command = 'steplens.switchAnnotator';
    this.resolved = this.resolve();
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(`${SECTION}.${SETTING}`)) return;
        this.resolved = this.resolve();
        void this.resolved.then((annotator) => this.changed.fire(annotator.name));
      }),
    );
  }

  /** The name every label saved in this window carries. */
  async current(): Promise<string> {
    return (await this.resolved).name;
  }

  private async resolve(): Promise<ResolvedAnnotator> {
    const setting = userSetting();
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const annotator = await resolveAnnotator(setting, cwd);
    if (setting?.trim() && annotator.origin !== 'setting')
      this.log.warn(
        `steplens.annotator "${setting.slice(0, 80)}" is not a usable name (1–64 characters, no control characters); labelling as "${annotator.name}" (from ${annotator.origin})`,
      );
    this.status.text = `$(person) ${annotator.name}`;
    this.status.tooltip = `StepLens labels are saved as "${annotator.name}" (${ORIGIN_TEXT[annotator.origin]}). Click to switch.`;
    this.status.show();
    return annotator;
  }

  /** Asks for a name (offering the annotators already seen) and keeps it in the user's settings. */
  async switchTo(known: readonly string[] = []): Promise<string | undefined> {
    const current = await this.current();
    const others = known.filter((name) => name !== current);
    let name: string | undefined;
    if (others.length > 0) {
      const picked = await vscode.window.showQuickPick(
        [
          ...others.map((label) => ({
            label,
            description: label === UNNAMED_ANNOTATOR ? 'labels saved before annotators existed' : '',
          })),
          { label: 'Another name…', description: '' },
        ],
        // Not dismissed by a focus that moves back to a webview a moment late (seen in code-server).
        { title: `Label as… (now: ${current})`, ignoreFocusOut: true },
      );
      if (!picked) return undefined;
      name = picked.label === 'Another name…' ? undefined : picked.label;
    }
    name ??= await vscode.window.showInputBox({
      title: 'StepLens annotator',
      prompt: 'The name your labels are saved under',
      ignoreFocusOut: true,
      value: current,
      validateInput: (value) =>
        AnnotatorSchema.safeParse(value).success ? undefined : '1–64 characters, no control characters',
    });
    if (name === undefined) return undefined;
    await vscode.workspace
      .getConfiguration(SECTION)
      .update(SETTING, name.trim(), vscode.ConfigurationTarget.Global);
    // The configuration listener re-reads the name and tells the panels.
    this.resolved = this.resolve();
    return this.current();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.status.dispose();
    this.changed.dispose();
  }
}
