/**
 * What the adjudication view knows of its runs' audit logs, without VS Code (tested on real files):
 * each run's events as last read, the items they make, and the logs to follow on disk so labels
 * made meanwhile in the panel, the queue or another window appear in the view. The view feeds the
 * watcher's paths in; a burst of changes (a queue labelling fast, this view's own save) is read once
 * after it settles, and a log read back unchanged sends nothing.
 */
import { resolve } from 'node:path';
import { type AdjudicationItem, adjudicationItems } from '../core/adjudication.js';
import type { AuditEvent, Run } from '../core/schemas.js';
import { type AuditLogContents, auditPathForRun } from '../io/auditLog.js';
import { errorText } from '../llm/credentials.js';
import { LOG_REFRESH_DELAY_MS, LogFollower } from './logFollower.js';

export interface AdjudicationSource {
  path: string;
  run: Run;
}

export class AdjudicationLogs {
  private readonly byRun: Map<string, AdjudicationSource>;
  /** Each run's events as last read: a save or a change re-reads only its own run's log. */
  private readonly events = new Map<string, AuditEvent[]>();

  constructor(
    sources: readonly AdjudicationSource[],
    private readonly read: (runPath: string, runId: string) => Promise<AuditLogContents>,
    private readonly warn: (message: string) => void,
  ) {
    this.byRun = new Map(sources.map((source) => [source.run.id, source]));
  }

  /** The runs shown, by run id: where their adjudications are saved. */
  runs(): Map<string, { runId: string; path: string }> {
    return new Map([...this.byRun.values()].map(({ path, run }) => [run.id, { runId: run.id, path }]));
  }

  /** Every run's audit log, absolute, with its run: the paths to follow. */
  logPaths(): Map<string, string> {
    return new Map(
      [...this.byRun.values()].map(({ path, run }) => [resolve(auditPathForRun(path, run.id)), run.id]),
    );
  }

  /**
   * Reads the logs afresh (every run's, or only `only`'s) and lists the items; `changed` is false
   * when every log read holds what it held at the last read, so there is nothing new to send.
   */
  async items(only?: readonly string[]): Promise<{ items: AdjudicationItem[]; changed: boolean }> {
    const runs: { run: Run; events: AuditEvent[] }[] = [];
    let changed = false;
    for (const { path, run } of this.byRun.values()) {
      let events = this.events.get(run.id);
      if (!events || only === undefined || only.includes(run.id)) {
        const read = await this.read(path, run.id);
        if (read.skipped.length > 0)
          this.warn(`Adjudicate: ${read.skipped.length} unreadable line(s) in the audit log of ${run.id}`);
        if (!events || JSON.stringify(events) !== JSON.stringify(read.events)) changed = true;
        events = read.events;
        this.events.set(run.id, events);
      }
      runs.push({ run, events });
    }
    return { items: adjudicationItems(runs), changed };
  }

  /**
   * Follows the logs on disk: the runs whose logs changed are read again, and `send` gets the items
   * only when what was read differs (this view's own save was sent already when its log changes).
   */
  follow(send: (items: AdjudicationItem[]) => Promise<void>, delayMs = LOG_REFRESH_DELAY_MS): LogFollower {
    return new LogFollower(
      this.logPaths(),
      async (runIds) => {
        try {
          const { items, changed } = await this.items(runIds);
          if (changed) await send(items);
        } catch (error) {
          this.warn(`Adjudicate: the changed audit logs of ${runIds.join(', ')}: ${errorText(error)}`);
        }
      },
      delayMs,
    );
  }
}
