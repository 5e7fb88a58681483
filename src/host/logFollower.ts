/**
 * Following audit logs on disk, without VS Code (tested with mock timers): the changes a file
 * watcher reports, gathered per run and handed on once they settle, so labels made meanwhile in
 * the panel, the queue, the adjudication view or another window reach every view showing the run,
 * and a fast labeller's burst of appends is read once.
 */
import { resolve } from 'node:path';

/** After the last change of a burst: long enough to take a fast labeller's keys as one read. */
export const LOG_REFRESH_DELAY_MS = 300;

/**
 * Changes to the followed logs, gathered per run and handed on once no change has come for
 * `delayMs`; paths of other files are ignored. `idle` settles when the last hand-on has. Once
 * disposed it hands nothing on, not even a change it was already waiting to hand on.
 */
export class LogFollower {
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  idle: Promise<void> = Promise.resolve();

  constructor(
    /** Each followed log's absolute path, with its run's id. */
    private readonly logs: ReadonlyMap<string, string>,
    private readonly refresh: (runIds: string[]) => Promise<void>,
    private readonly delayMs = LOG_REFRESH_DELAY_MS,
  ) {}

  /** The logs followed (absolute paths). */
  get paths(): Iterable<string> {
    return this.logs.keys();
  }

  changed(path: string): void {
    if (this.disposed) return;
    const runId = this.logs.get(resolve(path));
    if (runId === undefined) return;
    this.pending.add(runId);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const runIds = [...this.pending];
      this.pending.clear();
      // One read at a time, in order; a failed one does not stop the next, nor goes unhandled
      // (the callers log their own failures).
      this.idle = this.idle
        .then(() => (this.disposed ? undefined : this.refresh(runIds)))
        .catch(() => undefined);
    }, this.delayMs);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}

/**
 * Work on a log that must not interleave (this window's appends, the follower's reads), one piece
 * at a time in the order given; a failed piece does not stop the next.
 */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();

  take<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.last.then(work);
    this.last = turn.catch(() => undefined);
    return turn;
  }
}
