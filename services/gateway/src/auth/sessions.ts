import type { Logger } from '../logger.ts';
import type { Identity, KeyTableView, Verify } from './authenticator.ts';

/** Ends a session, saying why (such as "the API key was revoked"). */
export type EndSession = (reason: string) => void;

interface Held {
  identity: Identity;
  end: EndSession;
}

/**
 * The sessions that outlive their request, graphql-ws connections and subscriptions (over SSE
 * too), each with the identity it was opened with: they are checked again, together, whenever the
 * key table changes (and every API_KEY_RECHECK_MS in any case), and those refused are ended.
 */
export class Sessions {
  readonly #held = new Set<Held>();
  readonly #verify: Verify;
  readonly #keyTable: KeyTableView;
  readonly #logger: Logger;

  constructor(options: { verify: Verify; keyTable: KeyTableView; logger: Logger }) {
    this.#verify = options.verify;
    this.#keyTable = options.keyTable;
    this.#logger = options.logger;
  }

  /**
   * Holds a session until the returned function lets it go; `end` runs at most once, when its
   * identity is refused. An identity authenticated before the key table's latest change may have
   * missed the check that change caused, so it is checked at once.
   */
  hold(identity: Identity, end: EndSession): () => void {
    const held = { identity, end };
    this.#held.add(held);
    if (identity.epoch !== this.#keyTable.epoch) void this.#check([held]);
    return () => this.#held.delete(held);
  }

  /** Checks every session's identity in one go, and ends the refused ones. */
  recheck(): Promise<void> {
    return this.#check([...this.#held]);
  }

  async #check(sessions: Held[]): Promise<void> {
    if (sessions.length === 0) return;
    let refused: Map<Identity, string>;
    try {
      refused = await this.#verify(sessions.map((held) => held.identity));
    } catch (error) {
      this.#logger.warn(
        { err: error, sessions: sessions.length },
        'cannot check the keys of open connections; they stay open until the next check',
      );
      return;
    }
    for (const held of sessions) {
      const reason = refused.get(held.identity);
      // A session let go meanwhile has ended on its own.
      if (reason === undefined || !this.#held.delete(held)) continue;
      this.#logger.info(
        { owner: held.identity.owner, reason },
        'ending a connection or subscription',
      );
      held.end(reason);
    }
  }
}
