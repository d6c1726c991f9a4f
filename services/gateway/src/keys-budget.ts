import type { CreditLimits, CreditUsage } from '@charanim/db';

/** A limit as `npm run keys -- budget` takes it: a whole number of credits, or `off` for none. */
export function parseLimit(value: string): number | null | undefined {
  if (/^(off|none)$/i.test(value)) return null;
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** An owner's spending and budget as rows of a table, a period a row. */
export function budgetTable(owner: string, usage: CreditUsage & CreditLimits): string[][] {
  const row = (period: string, spent: number, budget: number | null) => [
    owner,
    period,
    String(spent),
    budget === null ? '-' : String(budget),
    budget === null ? '-' : String(Math.max(0, budget - spent)),
  ];
  return [
    ['OWNER', 'PERIOD', 'SPENT', 'BUDGET', 'LEFT'],
    row('today', usage.spentToday, usage.creditsPerDay),
    row('this month', usage.spentThisMonth, usage.creditsPerMonth),
  ];
}
