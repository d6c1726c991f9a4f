import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { createHolds, createWaiters } from '../schema.ts';
import { rowsOf } from './rows.ts';

/** kie.ai's create limit as the gateway keeps it: at most `limit` createTask calls per window. */
export interface CreateWindow {
  limit: number;
  windowMs: number;
  /**
   * How much longer than `windowMs` the gateway counts: the time from a place taken to kie.ai
   * receiving the call varies (more so under load), and kie.ai counts arrivals.
   */
  slackMs: number;
}

/** One try for a place: taken, or how long until one may free up (0: as soon as it is asked). */
export type AdmissionTry = { admitted: true } | { admitted: false; retryInMs: number };

/**
 * How far back an owner's creates count when places are shared: further than one window, so
 * that an owner who missed places in a burst (or whose next create was not waiting yet) is served
 * first until the shares even out again.
 */
const FAIRNESS_SPAN = sql`interval '1 minute'`;
/** Admissions older than this count for nothing any more: each admission prunes them. */
const KEPT = sql`interval '2 minutes'`;

/**
 * Tries to take a place in the account's create window for `owner`. Under a transaction-scoped
 * advisory lock, so that instances admit one at a time and the window is never overfilled. A place
 * is refused while a hold (after a 429) lasts, while the window is full, and while another waiting
 * owner has had fewer creates in the last minute than this one: the next place goes to the least
 * served.
 */
export async function tryAdmitCreate(
  db: Executor,
  owner: string,
  window: CreateWindow,
  /** The create's row in `create_waiters`, left in the same transaction when it is admitted. */
  waiterId?: string,
): Promise<AdmissionTry> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('charanim.create_admissions'))`);
    const span = (window.windowMs + window.slackMs) / 1000;
    const since = sql`clock_timestamp() - make_interval(secs => ${span}::float8)`;
    const [state] = rowsOf<{
      used: number;
      freesInMs: number | null;
      heldForMs: number | null;
      mine: number;
      least: number;
    }>(
      await tx.execute(sql`
        with recent as (
          select owner, admitted_at from create_admissions where admitted_at > ${since}
        ), served as (
          select owner from create_admissions
          where admitted_at > clock_timestamp() - ${FAIRNESS_SPAN}
        ), waiting as (
          select owner from create_waiters where expires_at > clock_timestamp()
          union select ${owner}::text
        ), shares as (
          select waiting.owner, count(served.owner)::int as n
          from waiting left join served on served.owner = waiting.owner group by waiting.owner
        )
        select
          (select count(*)::int from recent) as used,
          (select extract(epoch from min(admitted_at) - ${since}) * 1000 from recent)::float8
            as "freesInMs",
          (select extract(epoch from until - clock_timestamp()) * 1000 from create_holds
            where until > clock_timestamp())::float8 as "heldForMs",
          (select n from shares where owner = ${owner}) as mine,
          (select min(n) from shares) as least`),
    );
    if (!state) throw new Error('the create window query answered no row');
    if (state.heldForMs !== null) return { admitted: false, retryInMs: state.heldForMs };
    if (state.used >= window.limit) {
      return { admitted: false, retryInMs: Math.max(0, state.freesInMs ?? 0) };
    }
    if (state.mine > state.least) return { admitted: false, retryInMs: 0 };
    await tx.execute(sql`
      with pruned as (
        delete from create_admissions where admitted_at < clock_timestamp() - ${KEPT}
      )
      insert into create_admissions (owner) values (${owner})`);
    if (waiterId !== undefined)
      await tx.delete(createWaiters).where(eq(createWaiters.id, waiterId));
    return { admitted: true };
  });
}

/** Makes a create that waits for a place known to the others, until it gives up at `expiresAt`. */
export async function enterCreateQueue(
  db: Executor,
  waiter: { id: string; owner: string; expiresAt: Date },
): Promise<void> {
  await db.execute(sql`delete from create_waiters where expires_at < clock_timestamp()`);
  await db.insert(createWaiters).values(waiter);
}

export async function leaveCreateQueue(db: Executor, id: string): Promise<void> {
  await db.delete(createWaiters).where(eq(createWaiters.id, id));
}

/** After kie.ai answered 429: no instance admits a create for `ms` from now. */
export async function holdCreates(db: Executor, ms: number): Promise<void> {
  const until = sql`clock_timestamp() + make_interval(secs => ${ms / 1000}::float8)`;
  await db
    .insert(createHolds)
    .values({ id: 1, until })
    .onConflictDoUpdate({ target: createHolds.id, set: { until } });
}
