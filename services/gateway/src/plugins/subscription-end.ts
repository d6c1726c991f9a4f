import type { Plugin } from 'graphql-yoga';

/** What an onSubscribe hook returns: the hooks for the subscription's result and its failure. */
type SubscribeHooks = Exclude<Awaited<ReturnType<NonNullable<Plugin['onSubscribe']>>>, void>;

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** Whether a GraphQL result carries errors. */
export const hasErrors = (result: unknown) =>
  typeof result === 'object' &&
  result !== null &&
  'errors' in result &&
  ((result as { errors?: unknown[] }).errors?.length ?? 0) > 0;

/**
 * The hooks that call `onEnd` when a subscription ends, once, with whether any result it gave had
 * errors or its stream failed. It can end several ways (refused before a stream began, completed,
 * stopped by its client, failed), some of which are reported twice.
 */
export function onSubscriptionEnd(onEnd: (hadErrors: boolean) => void): SubscribeHooks {
  let hadErrors = false;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd(hadErrors);
  };
  return {
    onSubscribeResult({ result }) {
      if (!isAsyncIterable(result)) {
        hadErrors = hasErrors(result);
        end();
        return;
      }
      return {
        onNext({ result: next }) {
          if (hasErrors(next)) hadErrors = true;
        },
        onEnd: end,
      };
    },
    onSubscribeError() {
      hadErrors = true;
      end();
    },
  };
}
