import type { Client } from '../client.ts';
import { graphql, type ResultOf } from '../graphql.ts';
import type { Terminal } from './commands.ts';

/** `npm run cli -- usage`: the caller's spending of kie.ai credits, and its budget. */
export const USAGE_LINE =
  'usage                                           your spending of kie.ai credits and your budget';

export const Usage = graphql(`
  query Usage {
    usage {
      spentToday
      spentThisMonth
      reserved
      budgetPerDay
      budgetPerMonth
      remainingToday
      remainingThisMonth
    }
  }
`);

type UsageView = ResultOf<typeof Usage>['usage'];

/** One line a period: what was spent, and of which budget. */
export function describeUsage(usage: UsageView): string {
  const period = (name: string, spent: number, budget: number | null, left: number | null) =>
    `${name.padEnd(11)}${spent} credits${budget === null ? ` (no ${name === 'today' ? 'daily' : 'monthly'} budget)` : ` of ${budget} (${left} left)`}`;
  return [
    period('today', usage.spentToday, usage.budgetPerDay, usage.remainingToday),
    period('this month', usage.spentThisMonth, usage.budgetPerMonth, usage.remainingThisMonth),
    `${'reserved'.padEnd(11)}${usage.reserved} credits by tasks still running`,
  ].join('\n');
}

export async function showUsage(client: Client, terminal: Terminal): Promise<number> {
  const { usage } = await client.request(Usage, {});
  terminal.stdout.write(`${describeUsage(usage)}\n`);
  return 0;
}
