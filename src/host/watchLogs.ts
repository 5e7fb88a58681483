/**
 * File watchers for audit logs: one per folder holding them (a run's log lies beside it), each
 * reporting the changed, created or deleted `.jsonl` files of its folder to `changed`, which
 * picks out the logs it follows (logFollower.ts).
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';

export function watchLogFolders(
  logPaths: Iterable<string>,
  changed: (path: string) => void,
): vscode.Disposable[] {
  const disposables: vscode.Disposable[] = [];
  const report = (uri: vscode.Uri) => changed(uri.fsPath);
  for (const folder of new Set([...logPaths].map((path) => dirname(path)))) {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(folder), '*.jsonl'),
    );
    disposables.push(
      watcher,
      watcher.onDidChange(report),
      watcher.onDidCreate(report),
      watcher.onDidDelete(report),
    );
  }
  return disposables;
}
