/**
 * Background work done one round at a time (the capture jobs, the anchoring of their roots): `kick` starts a round,
 * or asks for another when one is under way; a round that throws is logged and tried again after `retryMs`.
 */
export class SerialWork {
  private work: Promise<void> = Promise.resolve();
  private working = false;
  private again = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  /** `round(stopped)` does what is pending; it checks `stopped()` between steps. `what` names it in the log. */
  constructor(
    private readonly round: (stopped: () => boolean) => Promise<void>,
    private readonly what: string,
    private readonly retryMs: number,
  ) {}

  /** Does what is pending (again, when called while a round is under way). */
  kick(): void {
    if (this.closed) return;
    if (this.working) {
      this.again = true;
      return;
    }
    this.working = true;
    this.work = this.rounds().finally(() => {
      this.working = false;
    });
  }

  /** Resolves when no round is under way. */
  async idle(): Promise<void> {
    while (this.working) await this.work;
  }

  /** Starts no more rounds and waits for the one under way. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.idle();
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.round(() => this.closed);
      } catch (err) {
        const message = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
        console.error(`${this.what}: ${message}; trying again in ${this.retryMs / 1000} s`);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.kick(), this.retryMs).unref();
        return;
      }
    } while (this.again && !this.closed);
  }
}
