import { type ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import type { Identity } from './authenticator.ts';
import type { Access } from './set-up.ts';

/**
 * Ties every subscription to the key it was made with, over SSE as over graphql-ws: when the key
 * is revoked (or anonymous mode ends), the subscription gets one last result, an UNAUTHENTICATED
 * error saying why, and completes. An SSE stream otherwise stays open for as long as its task
 * runs, whatever became of its key.
 */
export function useRevocableSubscriptions(access: Pick<Access, 'hold'>, logger: Logger): Plugin {
  return {
    onSubscribe({ args }) {
      const identity = (args.contextValue as { identity?: Identity }).identity;
      if (!identity) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) {
            setResult(endWhenRefused(result, identity, access.hold, logger));
          }
        },
      };
    },
  };
}

/**
 * The results of `source` until the identity is refused, then the refusal. Written by hand rather
 * than as an async generator, whose `return()` waits for the `next()` in flight: for a task that
 * does not change, forever. The source's own `return()` is not awaited for the same reason (a
 * subscription's resolver is such a generator): it ends once its next value or end comes.
 */
function endWhenRefused(
  source: AsyncIterable<ExecutionResult>,
  identity: Identity,
  hold: Access['hold'],
  logger: Logger,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let refuse: (reason: string) => void = () => {};
  const refused = new Promise<{ reason: string }>((resolve) => {
    refuse = (reason) => resolve({ reason });
  });
  const release = hold(identity, refuse);
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    release();
    iterator.return?.().catch((error: unknown) => {
      logger.warn({ err: error, owner: identity.owner }, 'a subscription failed as it ended');
    });
  };
  return {
    async next() {
      if (finished) return { done: true, value: undefined };
      const outcome = await Promise.race([iterator.next(), refused]);
      if ('reason' in outcome) {
        finish();
        const error = new GraphQLError(`Unauthorized: ${outcome.reason}`, {
          extensions: { code: 'UNAUTHENTICATED' },
        });
        return { done: false, value: { errors: [error] } };
      }
      if (outcome.done) finish();
      return outcome;
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
    async throw(error) {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
