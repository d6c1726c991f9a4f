import { type Executor, spendFromBudget } from '@charanim/db';

/** Seconds to wait before the owner may go on, or undefined when the call may go ahead. */
export type TakeFromBudget = (owner: string) => Promise<number | undefined>;

/**
 * A per-owner budget of calls per minute, counted in the database so that every instance spends
 * from the same one (`name` tells budgets apart); 0 means no limit.
 */
export function createOwnerBudget(db: Executor, name: string, perMinute: number): TakeFromBudget {
  if (perMinute === 0) return async () => undefined;
  return (owner) => spendFromBudget(db, `${name}:${owner}`, perMinute);
}
