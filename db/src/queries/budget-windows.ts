import { sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { rowsOf } from './rows.ts';

/**
 * Spends one of a per-minute budget (`key` names the budget and its owner), in fixed windows of a
 * minute from the first call, shared by every instance: one statement, so that concurrent calls
 * from any instance never spend past it. Answers the seconds until the budget is whole again when
 * it is spent, undefined when the call may go ahead.
 */
export async function spendFromBudget(
  db: Executor,
  key: string,
  perMinute: number,
): Promise<number | undefined> {
  const [window] = rowsOf<{ spent: number; msLeft: number }>(
    await db.execute(sql`
      insert into budget_windows as b (key, ends_at, spent)
      values (${key}, now() + interval '1 minute', 1)
      on conflict (key) do update set
        spent = case when b.ends_at <= now() then 1 else b.spent + 1 end,
        ends_at = case when b.ends_at <= now() then now() + interval '1 minute' else b.ends_at end
      returning spent, (extract(epoch from ends_at - now()) * 1000)::float8 as "msLeft"`),
  );
  if (!window) throw new Error('the budget window query answered no row');
  if (window.spent <= perMinute) return undefined;
  return Math.max(1, Math.ceil(window.msLeft / 1000));
}
