/**
 * Per-endpoint concurrency limits for the HTTP services: at most `active` requests of an endpoint run at once, up to
 * `waiting` more wait their turn, and the rest are refused at once (503 with retry-after), so one expensive endpoint
 * under load cannot take the whole process — nor its /healthz — with it.
 */

/** A request refused because its endpoint is at its limit. */
export class BusyError extends Error {
  constructor(
    readonly endpoint: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`${endpoint} is busy (too many requests at once); try again in ${retryAfterSeconds} s`);
  }
}

export class Gate {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    readonly endpoint: string,
    private readonly active: number,
    private readonly waiting: number,
    private readonly retryAfterSeconds = 2,
  ) {}

  /** Runs `work` when a slot is free; rejects with `BusyError` when the queue is full too. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.active) {
      if (this.queue.length >= this.waiting) throw new BusyError(this.endpoint, this.retryAfterSeconds);
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else this.running++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      // The next one starts after waiting I/O had its turn (a microtask hand-off would starve it).
      if (next !== undefined) setImmediate(next);
      else this.running--;
    }
  }
}

/** One gate per endpoint name, made on first use with the same limits. */
export class Gates {
  private readonly gates = new Map<string, Gate>();

  constructor(
    private readonly active: number,
    private readonly waiting: number,
  ) {}

  of(endpoint: string): Gate {
    let gate = this.gates.get(endpoint);
    if (gate === undefined) {
      gate = new Gate(endpoint, this.active, this.waiting);
      this.gates.set(endpoint, gate);
    }
    return gate;
  }
}
