/**
 * Where runs and audit logs live: `.steplens/runs/` and `.steplens/audits/` in the workspace
 * folder of the problem (or the first folder), else in the extension's global storage.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { Run } from '../core/schemas.js';
import { AuditWriter, auditPathForRun, readAuditLog } from '../io/auditLog.js';
import { pathInside } from '../io/paths.js';
import { RUNS_DIR, readRun, writeRun } from '../io/runFiles.js';

export interface StoredRun {
  path: string;
  run: Run;
}

export class RunStorage {
  private readonly writers = new Map<string, AuditWriter>();

  constructor(private readonly globalStorage: vscode.Uri) {}

  /** The root that holds `.steplens/` for a problem file (or for the workspace as a whole). */
  rootFor(resource?: vscode.Uri): string {
    const folder =
      (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
    return folder ? folder.uri.fsPath : this.globalStorage.fsPath;
  }

  runPath(root: string, runId: string): string {
    return pathInside(join(root, RUNS_DIR), `${runId}.json`);
  }

  async save(path: string, run: Run): Promise<void> {
    await writeRun(path, run);
  }

  async open(path: string): Promise<StoredRun> {
    return { path, run: await readRun(path) };
  }

  auditPath(runPath: string, runId: string): string {
    return auditPathForRun(runPath, runId);
  }

  async events(runPath: string, runId: string) {
    return readAuditLog(this.auditPath(runPath, runId));
  }

  writer(runPath: string, runId: string): AuditWriter {
    const path = this.auditPath(runPath, runId);
    let writer = this.writers.get(path);
    if (!writer) {
      writer = new AuditWriter(path);
      this.writers.set(path, writer);
    }
    return writer;
  }

  /** The folders that may hold `.steplens/`: the workspace folders open now, then global storage. */
  roots(): string[] {
    return [
      ...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
      this.globalStorage.fsPath,
    ];
  }

  /** Every run file under the workspace folders and global storage, newest first. */
  async list(): Promise<{ path: string; modified: number }[]> {
    const roots = this.roots();
    const found: { path: string; modified: number }[] = [];
    for (const root of roots) {
      const dir = join(root, RUNS_DIR);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.filter((entry) => entry.endsWith('.json'))) {
        const path = join(dir, name);
        found.push({ path, modified: (await stat(path)).mtimeMs });
      }
    }
    return found.sort((a, b) => b.modified - a.modified);
  }

  /** Finds a run by id (for a panel restored after a window reload). */
  async findById(runId: string): Promise<string | undefined> {
    return (await this.list()).find((entry) => basename(entry.path) === `${runId}.json`)?.path;
  }
}
