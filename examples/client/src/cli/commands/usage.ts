import { graphql, type ResultOf } from '../../graphql.ts';
import { defineCommand } from '../command.ts';
import { noArguments } from '../command-line.ts';

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

export const usage = defineCommand({
  name: 'usage',
  usage: `usage
    Your spending of kie.ai credits today and this month, and your budgets.`,
  options: {},
  parse(positionals) {
    noArguments('usage', positionals);
    return {};
  },
  async run(client, _args, terminal) {
    const { usage } = await client.request(Usage, {});
    terminal.stdout.write(`${describeUsage(usage)}\n`);
    return 0;
  },
});
