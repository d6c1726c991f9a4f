import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { withProviderErrors } from './errors.ts';

builder.queryField('credits', (t) =>
  t.int({
    description:
      "The provider account's remaining credits, as kie.ai gave them at most 5 seconds ago; for the keys of admin owners (ADMIN_OWNERS) and in anonymous mode only: anyone else gets an error with code FORBIDDEN (your own spending is `usage`). Each `credits` field, aliases too, counts against the owner's budget of them: past it, an error with code RATE_LIMITED and retryAfterSeconds.",
    resolve: async (_root, _args, ctx) => {
      if (!ctx.viewer.seesAccount) {
        throw new GraphQLError(
          "the kie.ai account's credits are shown to admin owners (ADMIN_OWNERS) only; your own spending is the usage query",
          { extensions: { code: 'FORBIDDEN' } },
        );
      }
      const spent = await ctx.viewer.takeCreditsRead();
      if (spent) {
        throw new GraphQLError(
          `credits may be read ${spent.perMinute} times a minute per owner; retry after ${spent.retryAfterSeconds} s`,
          { extensions: { code: 'RATE_LIMITED', ...spent } },
        );
      }
      return withProviderErrors(() => ctx.account.credits());
    },
  }),
);
