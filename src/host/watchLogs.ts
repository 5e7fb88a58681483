/**
 * File watchers for audit logs: one per folder holding them (a run's log lies in an `audits` folder
 * beside its `runs`), each reporting the changed, created or deleted `.jsonl` files there to a
 * LogFollower, which picks out the logs it follows (logFollower.ts). The watcher is set on the
 * folder's parent, which holds the run files and so exists: the `audits` folder itself appears only
 * with the first label, and a watcher set on a folder that does not exist yet may never report.
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { LogFollower } from './logFollower.js';

/** Watches the folders of the logs `follower` follows and hands it their changes; one disposable for both. */
export function watchFollower(follower: LogFollower): vscode.Disposable {
  const disposables: vscode.Disposable[] = [];
  const report = (uri: vscode.Uri) => follower.changed(uri.fsPath);
  for (const folder of new Set([...follower.paths].map((path) => dirname(path)))) {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(dirname(folder)), `${basename(folder)}/*.jsonl`),
    );
    disposables.push(
      watcher,
      watcher.onDidChange(report),
      watcher.onDidCreate(report),
      watcher.onDidDelete(report),
    );
  }
  return {
    dispose: () => {
      follower.dispose();
      for (const disposable of disposables) disposable.dispose();
    },
  };
}
