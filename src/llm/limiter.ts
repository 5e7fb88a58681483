/** Admission ranks by the signal a problem's requests carry (see rankRequests). */
const ranks = new WeakMap<AbortSignal, number>();

/**
 * Ranks the requests made under `signal`: lower ranks are admitted first. A dataset run gives each
 * problem's signal its position, so that the problems in flight finish one after another rather
 * than all together: served in arrival order, their critiques interleave, every problem ends when
 * the last critique of the batch does, and the slots run dry while the next problems sample.
 */
export function rankRequests(signal: AbortSignal, rank: number): void {
  ranks.set(signal, rank);
}

/**
 * A concurrency limit: at most `max` tasks run at once, the rest wait. Waiters are admitted in
 * arrival order, except that tasks run with `first` (sampling streams, whose samples are the next
 * work) go before all others, and tasks under a signal of a lower rank (rankRequests) before those
 * of a higher one or none.
 */
export class Limiter {
  private active = 0;
  /**
   * Each waiter is woken with a slot already counted in `active` (handed over, never freed
   * between); kept sorted by rank, arrival order within a rank.
   */
  private readonly waiting: { rank: number; wake: () => void }[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, options: { first?: boolean; signal?: AbortSignal } = {}): Promise<T> {
    // While anyone waits, every slot is taken, so a newcomer queues behind them.
    if (this.active < this.max) this.active += 1;
    else {
      const rank = options.first
        ? Number.NEGATIVE_INFINITY
        : ((options.signal && ranks.get(options.signal)) ?? Number.POSITIVE_INFINITY);
      await new Promise<void>((wake) => {
        // Behind every waiter of the same or a lower rank (most often: at the end).
        let at = this.waiting.length;
        while (at > 0 && this.waiting[at - 1]!.rank > rank) at -= 1;
        this.waiting.splice(at, 0, { rank, wake });
      });
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the first waiter: a task arriving before that waiter resumes
      // finds no free slot and cannot jump the queue.
      const next = this.waiting.shift();
      if (next) next.wake();
      else this.active -= 1;
    }
  }
}
