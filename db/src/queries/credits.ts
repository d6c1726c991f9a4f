import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { type CreditBudgetRow, creditBudgets, creditCharges } from '../schema.ts';
import { rowsOf } from './rows.ts';

/** The period of a budget: a UTC day, or a UTC month. */
export type BudgetPeriod = 'DAY' | 'MONTH';

/** Why a reservation was refused: the budget it would pass, and what was spent of it. */
export interface BudgetRefusal {
  period: BudgetPeriod;
  budget: number;
  spent: number;
  /** Until the period ends, when the budget is whole again. */
  retryAfterSeconds: number;
}

/**
 * Reserves a task's estimate against its owner's budget (migration 0017's `reserve_credits`):
 * undefined when reserved, or when the task holds a reservation already; the refusal otherwise.
 * One statement, race-safe across instances: a budget is never passed.
 */
export async function reserveCredits(
  db: Executor,
  charge: { taskId: string; owner: string; estimate: number },
): Promise<BudgetRefusal | undefined> {
  const result = await db.execute(
    sql`select period, budget, spent, retry_after_seconds as "retryAfterSeconds"
      from reserve_credits(${charge.taskId}::uuid, ${charge.owner}::text, ${charge.estimate}::integer)`,
  );
  const [refusal] = rowsOf<BudgetRefusal>(result);
  return refusal && { ...refusal, retryAfterSeconds: Math.max(1, refusal.retryAfterSeconds) };
}

/** An owner's limits: null for no limit in that period. */
export interface CreditLimits {
  creditsPerDay: number | null;
  creditsPerMonth: number | null;
}

/** Sets an owner's budget (both periods at once); both null removes it. */
export async function setCreditBudget(
  db: Executor,
  owner: string,
  limits: CreditLimits,
): Promise<CreditBudgetRow | undefined> {
  if (limits.creditsPerDay === null && limits.creditsPerMonth === null) {
    await db.delete(creditBudgets).where(eq(creditBudgets.owner, owner));
    return undefined;
  }
  const [row] = await db
    .insert(creditBudgets)
    .values({ owner, ...limits })
    .onConflictDoUpdate({
      target: creditBudgets.owner,
      set: { ...limits, updatedAt: sql`now()` },
    })
    .returning();
  return row;
}

/** What an owner spent in the current UTC day and month, and its budget. */
export interface CreditUsage extends CreditLimits {
  /** Charges of today: settled ones as kie.ai billed them, the rest at their estimate. */
  spentToday: number;
  spentThisMonth: number;
  /** Of this month's spending, the estimates of tasks that have not ended. */
  reserved: number;
}

export async function creditUsage(db: Executor, owner: string): Promise<CreditUsage> {
  const amount = sql`coalesce(${creditCharges.charged}, ${creditCharges.estimate})`;
  const today = sql`date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'`;
  const thisMonth = sql`date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'`;
  const [spent] = await db
    .select({
      spentToday:
        sql<number>`coalesce(sum(${amount}) filter (where ${creditCharges.reservedAt} >= ${today}), 0)`.mapWith(
          Number,
        ),
      spentThisMonth: sql<number>`coalesce(sum(${amount}), 0)`.mapWith(Number),
      reserved:
        sql<number>`coalesce(sum(${creditCharges.estimate}) filter (where ${creditCharges.settledAt} is null), 0)`.mapWith(
          Number,
        ),
    })
    .from(creditCharges)
    .where(sql`${creditCharges.owner} = ${owner} and ${creditCharges.reservedAt} >= ${thisMonth}`);
  const [limits] = await db
    .select({
      creditsPerDay: creditBudgets.creditsPerDay,
      creditsPerMonth: creditBudgets.creditsPerMonth,
    })
    .from(creditBudgets)
    .where(eq(creditBudgets.owner, owner));
  return {
    spentToday: spent?.spentToday ?? 0,
    spentThisMonth: spent?.spentThisMonth ?? 0,
    reserved: spent?.reserved ?? 0,
    creditsPerDay: limits?.creditsPerDay ?? null,
    creditsPerMonth: limits?.creditsPerMonth ?? null,
  };
}
