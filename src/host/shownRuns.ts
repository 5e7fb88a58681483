/**
 * The file of each run the panels showed, kept in workspaceState: a panel VS Code restores after a
 * window reload names only its run's id (the page's saved state), and an id alone is looked up in
 * the workspace's `.steplens/runs/`, where a run opened from a dataset folder is not.
 */
import { access } from 'node:fs/promises';
import type * as vscode from 'vscode';
import { z } from 'zod';
import { placeOfRun, type RunPlace, runFileAt } from '../io/paths.js';

const KEY = 'steplens.shownRunFiles';
/** Runs remembered, most recent first: a panel restored shows one of the last runs shown. */
const LIMIT = 50;

const PlacesSchema = z.array(z.object({ runId: z.string(), root: z.string(), path: z.string() }));
type Place = z.infer<typeof PlacesSchema>[number];

/** Where a run a panel showed is now: its file, or what to tell the person instead. */
export type ShownRunFile = { file: string } | { note: string } | undefined;

export class ShownRuns {
  constructor(
    private readonly memento: vscode.Memento,
    /** The folders run files may be under (workspace folders, the extension's storage), read when asked. */
    private readonly roots: () => string[],
    /** A path as the person knows it: relative to the workspace. */
    private readonly shown: (file: string) => string,
  ) {}

  private places(): Place[] {
    const read = PlacesSchema.safeParse(this.memento.get(KEY));
    return read.success ? read.data : [];
  }

  /** Remembers where `runId` was read from; a run outside every root (opened from elsewhere) is not remembered. */
  async remember(runId: string, file: string): Promise<void> {
    const place = placeOfRun(this.roots(), file);
    if (!place) return;
    const rest = this.places().filter((entry) => entry.runId !== runId);
    await this.memento.update(KEY, [{ runId, ...place }, ...rest].slice(0, LIMIT));
  }

  /**
   * The file `runId` was shown from, checked to be inside a folder open now; a note naming it when
   * it is gone; undefined when it was never remembered (a page saved before this memory existed).
   */
  async find(runId: string): Promise<ShownRunFile> {
    const place: RunPlace | undefined = this.places().find((entry) => entry.runId === runId);
    if (!place) return undefined;
    const found = runFileAt(this.roots(), place);
    if ('refused' in found) {
      return found.refused === 'root'
        ? {
            note: `The run this panel showed (${runId}) was in ${place.root}, which is not open in this window. Open a run, or analyze a problem file.`,
          }
        : undefined;
    }
    try {
      await access(found.file);
    } catch {
      return {
        note: `The run this panel showed (${runId}) is gone: ${this.shown(found.file)} is no longer there. Open a run, or analyze a problem file.`,
      };
    }
    return found;
  }
}
