/** A wake-up call between loops: `wait()` resolves on the next `notify()` or after `ms`. */
export class Signal {
  private waiters: (() => void)[] = [];

  /** Waits for a notification, at most `ms` milliseconds when given. */
  public wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        resolve();
      };
      this.waiters.push(done);
      if (ms !== undefined) timer = setTimeout(done, Math.max(0, ms));
    });
  }

  /** Wakes every waiter. */
  public notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
