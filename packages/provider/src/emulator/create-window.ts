/** kie.ai's account-wide create limit as integrators measured it: 20 createTask calls per 10 s. */
export const KIE_CREATES_PER_WINDOW = 20;
const WINDOW_MS = 10_000;

/** What the emulator saw of its create limit, for `GET /emulator/stats`. */
export interface CreateWindowStats {
  limit: number;
  /** The most createTask calls that arrived in any 10 s. */
  mostIn10s: number;
  /** Calls past the limit, answered 429 and dropped. */
  dropped: number;
}

/**
 * Counts createTask calls in the last 10 s across the account; one past the limit is dropped
 * (not queued), as kie.ai does. Every arrival counts, dropped or not.
 */
export class CreateWindow {
  readonly #arrivals: number[] = [];
  #mostIn10s = 0;
  #dropped = 0;

  constructor(readonly limit = KIE_CREATES_PER_WINDOW) {}

  /** Records an arrival now: whether it is within the limit (always, for a limit of 0: none). */
  admit(now = Date.now()): boolean {
    while (this.#arrivals.length > 0 && (this.#arrivals[0] as number) <= now - WINDOW_MS) {
      this.#arrivals.shift();
    }
    this.#arrivals.push(now);
    this.#mostIn10s = Math.max(this.#mostIn10s, this.#arrivals.length);
    if (this.limit === 0 || this.#arrivals.length <= this.limit) return true;
    this.#dropped += 1;
    return false;
  }

  stats(): CreateWindowStats {
    return { limit: this.limit, mostIn10s: this.#mostIn10s, dropped: this.#dropped };
  }
}
