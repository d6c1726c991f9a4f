import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiKeyTableState, apiKeyTableState, type Database } from '@charanim/db';
import type { Logger } from '../logger.ts';
import type { KeyTableView } from './authenticator.ts';

export interface KeyWatchOptions {
  db: Database;
  /** Whether requests without a key run as `local` while the table is in this state. */
  allowsAnonymous(state: ApiKeyTableState): boolean;
  /** How often the table's state is read. */
  checkMs: number;
  /** How often `start`'s `onCheck` runs even when the table looks unchanged. */
  recheckMs: number;
  /** Says what a new state means for callers (keys required, anonymous, everything refused). */
  onModeChange(state: ApiKeyTableState, anonymous: boolean): void;
  logger: Logger;
}

/**
 * Follows the API key table, which the instances on one database share and which is the one truth
 * about keys: keys made or revoked by another instance, by `npm run keys` or by hand reach this
 * instance within `checkMs`, without a restart. A read is one aggregate over a small table (a
 * count and two times), cheap enough to repeat every two seconds, and it works alike on
 * PostgreSQL and PGlite with no migration; a NOTIFY trigger would be faster on PostgreSQL alone, a
 * gain nobody needs for a revocation that may take a few seconds.
 */
export class KeyWatch implements KeyTableView {
  readonly #options: KeyWatchOptions;
  readonly #stopped = new AbortController();
  #state: ApiKeyTableState;
  #anonymous: boolean;
  #epoch = 0;
  #lastRecheck = Date.now();
  /** The read in flight, so that reads never overlap and `check()` waits for its own. */
  #reading: Promise<void> = Promise.resolve();
  #failing = false;
  #loop: Promise<void> | undefined;
  #onCheck: () => Promise<void> = async () => {};

  private constructor(options: KeyWatchOptions, state: ApiKeyTableState) {
    this.#options = options;
    this.#state = state;
    this.#anonymous = options.allowsAnonymous(state);
  }

  /** Reads the table once, for the state at start; `start` then follows it. */
  static async open(options: KeyWatchOptions): Promise<KeyWatch> {
    return new KeyWatch(options, await apiKeyTableState(options.db));
  }

  get state(): ApiKeyTableState {
    return this.#state;
  }

  get anonymous(): boolean {
    return this.#anonymous;
  }

  /**
   * Counts the changes seen: a caller authenticated at an earlier epoch may have been checked by
   * a key that has changed since, and a connection it opens is checked again at once.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Reads the table every `checkMs` from now on; `onCheck` runs after a read that saw it change,
   * and every `recheckMs` in any case.
   */
  start(onCheck: () => Promise<void>): void {
    this.#onCheck = onCheck;
    this.#loop ??= this.#follow();
  }

  /** Reads the table now, for a change this instance has just made, and runs what it calls for. */
  check(): Promise<void> {
    this.#reading = this.#reading.then(() => this.#read());
    return this.#reading;
  }

  async stop(): Promise<void> {
    this.#stopped.abort();
    await this.#loop;
    await this.#reading;
  }

  async #follow(): Promise<void> {
    const { signal } = this.#stopped;
    while (!signal.aborted) {
      try {
        await sleep(this.#options.checkMs, undefined, { signal });
      } catch {
        return; // stopped
      }
      await this.check();
    }
  }

  async #read(): Promise<void> {
    const { logger } = this.#options;
    let state: ApiKeyTableState;
    try {
      state = await apiKeyTableState(this.#options.db);
    } catch (error) {
      // Connections stay as they are while the database cannot say otherwise; new requests fail
      // on their own key look-up meanwhile.
      if (!this.#failing) logger.warn({ err: error }, 'cannot read the API key table');
      this.#failing = true;
      return;
    }
    if (this.#failing) logger.info('reading the API key table again');
    this.#failing = false;
    const changed = state.version !== this.#state.version;
    if (changed) {
      const anonymous = this.#options.allowsAnonymous(state);
      if (anonymous !== this.#anonymous || (state.active === 0) !== (this.#state.active === 0)) {
        this.#options.onModeChange(state, anonymous);
      }
      this.#state = state;
      this.#anonymous = anonymous;
      this.#epoch += 1;
    }
    if (changed || Date.now() - this.#lastRecheck >= this.#options.recheckMs) {
      this.#lastRecheck = Date.now();
      try {
        await this.#onCheck();
      } catch (error) {
        logger.error({ err: error }, 'could not check the keys of open connections');
      }
    }
  }
}
