import { type CreditUsage, isOwnerName } from '@charanim/tasks';
import { ForbiddenError, refusal } from './api-keys.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { ValidationError, validationError } from './errors.ts';

/**
 * What an owner spends of kie.ai's credits and the budget that bounds it: each owner sees its own
 * (`usage`); admin owners see and set anyone's (`creditUsage`, `setCreditBudget`, which
 * `npm run keys -- budget --gateway URL` uses).
 */

interface UsageShape extends CreditUsage {
  kind: 'Usage';
  owner: string;
}

const remaining = (budget: number | null, spent: number) =>
  budget === null ? null : Math.max(0, budget - spent);

const Usage = builder.objectRef<UsageShape>('Usage').implement({
  description:
    "An owner's spending of kie.ai credits in the current UTC day and month, and its budget. Tasks that ended count as kie.ai billed them (a failed generation costs nothing), running ones at their model's estimate. A deleted task's credits stay spent.",
  isTypeOf: (value) => (value as { kind?: string }).kind === 'Usage',
  fields: (t) => ({
    owner: t.exposeString('owner'),
    spentToday: t.exposeInt('spentToday', { description: 'Credits spent since 00:00 UTC.' }),
    spentThisMonth: t.exposeInt('spentThisMonth', {
      description: 'Credits spent since the first of the month, 00:00 UTC.',
    }),
    reserved: t.exposeInt('reserved', {
      description: 'Of this month’s spending, the estimates of tasks that have not ended yet.',
    }),
    budgetPerDay: t.exposeInt('creditsPerDay', {
      nullable: true,
      description: 'The daily budget in credits; null for none.',
    }),
    budgetPerMonth: t.exposeInt('creditsPerMonth', {
      nullable: true,
      description: 'The monthly budget in credits; null for none.',
    }),
    remainingToday: t.int({
      nullable: true,
      description: 'What is left of the daily budget; null without one.',
      resolve: (usage) => remaining(usage.creditsPerDay, usage.spentToday),
    }),
    remainingThisMonth: t.int({
      nullable: true,
      description: 'What is left of the monthly budget; null without one.',
      resolve: (usage) => remaining(usage.creditsPerMonth, usage.spentThisMonth),
    }),
  }),
});

async function usageOf(ctx: Context, owner: string): Promise<UsageShape> {
  return { kind: 'Usage', owner, ...(await ctx.credits.usage(owner)) };
}

const CreditUsageResult = builder.unionType('CreditUsageResult', {
  types: [Usage, ForbiddenError],
});
const SetCreditBudgetResult = builder.unionType('SetCreditBudgetResult', {
  types: [Usage, ValidationError, ForbiddenError],
});

const SetCreditBudgetInput = builder.inputType('SetCreditBudgetInput', {
  description:
    'An owner’s budget in kie.ai credits per UTC day and month. A limit left out or null is no limit; both null removes the budget.',
  fields: (t) => ({
    owner: t.string({ required: true }),
    creditsPerDay: t.int(),
    creditsPerMonth: t.int(),
  }),
});

builder.queryFields((t) => ({
  usage: t.field({
    type: Usage,
    description:
      "Your owner's spending of kie.ai credits today and this month (UTC), and its budget: a create that would pass it is refused with a BudgetExceededError.",
    resolve: (_root, _args, ctx) => usageOf(ctx, ctx.viewer.owner),
  }),
  creditUsage: t.field({
    type: CreditUsageResult,
    description: "Any owner's `usage`; for admin owners (ADMIN_OWNERS) only.",
    args: { owner: t.arg.string({ required: true }) },
    resolve: async (_root, { owner }, ctx) =>
      refusal(ctx, 'read the usage of other owners') ?? usageOf(ctx, owner),
  }),
}));

builder.mutationFields((t) => ({
  setCreditBudget: t.field({
    type: SetCreditBudgetResult,
    description:
      "Sets an owner's budget of kie.ai credits per UTC day and month, at once on every instance; for admin owners (ADMIN_OWNERS) only. Answers the owner's usage with its new budget.",
    args: { input: t.arg({ type: SetCreditBudgetInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const refused = refusal(ctx, 'set credit budgets');
      if (refused) return refused;
      if (!isOwnerName(input.owner)) {
        return validationError(
          'owner',
          'owner must be 1 to 64 characters, each a letter, a digit, ".", "_" or "-"',
        );
      }
      const limits = {
        creditsPerDay: input.creditsPerDay ?? null,
        creditsPerMonth: input.creditsPerMonth ?? null,
      };
      for (const [field, value] of Object.entries(limits)) {
        if (value !== null && value < 0) {
          return validationError(field, `${field} is ${value}; must be at least 0`);
        }
      }
      await ctx.credits.setBudget(input.owner, limits);
      return usageOf(ctx, input.owner);
    },
  }),
}));
