import { ProviderError } from '@charanim/tasks';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';

builder.queryField('credits', (t) =>
  t.int({
    description: "The provider account's remaining credits.",
    resolve: async (_root, _args, ctx) => {
      try {
        return await ctx.account.credits();
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        throw new GraphQLError(error.message, {
          extensions: { code: error.code, retryable: error.retryable },
        });
      }
    },
  }),
);
