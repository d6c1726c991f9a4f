import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CreateWindow,
  type Executor,
  enterCreateQueue,
  holdCreates,
  leaveCreateQueue,
  tryAdmitCreate,
} from '@charanim/db';

/**
 * Keeps createTask calls within kie.ai's account-wide limit (it drops, not queues, the excess),
 * shared fairly between owners and across every instance on the database.
 */
export interface CreateLimiter {
  /** Waits for a place for one createTask of `owner`; rejects with CreateNotAdmitted at `deadline`. */
  admit(owner: string, deadline: number): Promise<void>;
  /** kie.ai answered 429 all the same: no instance sends a create for a whole window. */
  refused(): Promise<void>;
  /** The refusal of a create that found no place in time. */
  notAdmitted(retryAfterSeconds: number): CreateNotAdmitted;
}

/** No place in the window came up before the create's time limit: nothing was sent. */
export class CreateNotAdmitted extends Error {
  override readonly name = 'CreateNotAdmitted';
  constructor(
    readonly retryAfterSeconds: number,
    window: CreateWindow,
  ) {
    super(
      `kie.ai takes at most ${window.limit} creates in any ${window.windowMs / 1000} s for the whole account (KIE_CREATE_LIMIT), and no place came up in time: nothing was sent; retry after ${retryAfterSeconds} s`,
    );
  }
}

/**
 * No create limit (KIE_CREATE_LIMIT=0): for another implementation of kie.ai's API, such as the
 * emulator in a benchmark of the gateway's own cost. kie.ai itself drops what passes its limit.
 */
export const noCreateLimit: CreateLimiter = {
  notAdmitted: (retryAfterSeconds) =>
    new CreateNotAdmitted(retryAfterSeconds, { limit: 0, windowMs: 0, slackMs: 0 }),
  admit: async () => undefined,
  refused: async () => undefined,
};

/** How long a waiter that lost a place to a less served owner waits before asking again. */
const FAIRNESS_RETRY_MS = 40;

/**
 * The limiter over the database's window (`tryAdmitCreate`). In an instance, an owner's creates
 * wait in line behind each other, so that only the first asks the database: the others' asking
 * would load it without changing who is served next.
 */
export function databaseCreateLimiter(db: Executor, window: CreateWindow): CreateLimiter {
  const lines = new Map<string, Promise<void>>();

  async function waitForPlace(owner: string, deadline: number): Promise<void> {
    let tried = await tryAdmitCreate(db, owner, window);
    if (tried.admitted) return;
    const waiter = { id: randomUUID(), owner, expiresAt: new Date(deadline) };
    await enterCreateQueue(db, waiter);
    // Admitted, the create leaves the queue in the same transaction: its call goes out sooner.
    while (!tried.admitted) {
      const wait = (tried.retryInMs || FAIRNESS_RETRY_MS) + Math.random() * FAIRNESS_RETRY_MS;
      if (Date.now() + wait > deadline) {
        await leaveCreateQueue(db, waiter.id);
        throw new CreateNotAdmitted(Math.max(1, Math.ceil(wait / 1000)), window);
      }
      await sleep(wait);
      tried = await tryAdmitCreate(db, owner, window, waiter.id);
    }
  }

  return {
    notAdmitted: (retryAfterSeconds) => new CreateNotAdmitted(retryAfterSeconds, window),
    async admit(owner, deadline) {
      const before = lines.get(owner) ?? Promise.resolve();
      let done!: () => void;
      const line = before.then(() => new Promise<void>((resolve) => (done = resolve)));
      lines.set(owner, line);
      try {
        const turn = await Promise.race([
          before.then(() => true),
          // Unref'd: a create that got its turn leaves this timer behind, which must not hold a process.
          sleep(Math.max(0, deadline - Date.now()), false, { ref: false }),
        ]);
        if (!turn) throw new CreateNotAdmitted(Math.ceil(window.windowMs / 1000), window);
        await waitForPlace(owner, deadline);
      } finally {
        // `done` is set once `before` settled; a create that gave up first lets its successor
        // wait on `before` alone.
        before.then(() => done());
        if (lines.get(owner) === line) lines.delete(owner);
      }
    },
    async refused() {
      await holdCreates(db, window.windowMs);
    },
  };
}
