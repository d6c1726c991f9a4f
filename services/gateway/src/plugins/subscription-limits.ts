import type { Context } from '@charanim/schema';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { onSubscriptionEnd } from './subscription-end.ts';

export interface SubscriptionLimits {
  /** Open subscriptions one graphql-ws connection may hold. */
  perConnection: number;
  /** Open subscriptions one owner may hold in this instance, over graphql-ws and SSE together. */
  perOwner: number;
}

function tooMany(limit: number, per: 'connection' | 'owner'): GraphQLError {
  return new GraphQLError(
    `too many subscriptions: at most ${limit} may be open per ${per}; complete one first`,
    { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit, per } },
  );
}

/**
 * Counts the open subscriptions of each graphql-ws connection and each owner, and refuses one more
 * past a limit with a typed error: each costs memory and a share of every task change, and a client
 * could otherwise open them without end.
 */
export function useSubscriptionLimits(limits: SubscriptionLimits): Plugin {
  const byOwner = new Map<string, number>();
  const byConnection = new WeakMap<object, number>();
  return {
    onSubscribe({ context, setResultAndStopExecution }) {
      // graphql-ws puts its socket into the context; an SSE subscription has a connection of its own.
      const { viewer, socket } = context as Partial<Context> & { socket?: object };
      if (!viewer) return;
      const { owner } = viewer;
      const onConnection = socket ? (byConnection.get(socket) ?? 0) : 0;
      const ofOwner = byOwner.get(owner) ?? 0;
      if (onConnection >= limits.perConnection) {
        return setResultAndStopExecution({ errors: [tooMany(limits.perConnection, 'connection')] });
      }
      if (ofOwner >= limits.perOwner) {
        return setResultAndStopExecution({ errors: [tooMany(limits.perOwner, 'owner')] });
      }
      const count = (change: number) => {
        const left = (byOwner.get(owner) ?? 0) + change;
        if (left > 0) byOwner.set(owner, left);
        else byOwner.delete(owner);
        if (socket) byConnection.set(socket, (byConnection.get(socket) ?? 0) + change);
      };
      count(1);
      return onSubscriptionEnd(() => count(-1));
    },
  };
}
