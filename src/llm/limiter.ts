/** A FIFO concurrency limit: at most `max` tasks run at once, the rest wait in arrival order. */
export class Limiter {
  private active = 0;
  /** Each waiter is woken with a slot already counted in `active` (handed over, never freed between). */
  private readonly waiting: (() => void)[] = [];

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

  async run<T>(task: () => Promise<T>): Promise<T> {
    // While anyone waits, every slot is taken, so a newcomer queues behind them.
    if (this.active < this.max) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the first waiter: a task arriving before that waiter resumes
      // finds no free slot and cannot jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
