import { type DocumentNode, Kind, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from './registry.ts';

type Outcome = 'ok' | 'error';

/** The operation's type and name, as the counter labels them. */
function describe(document: unknown): { type: string; name: string } {
  const operation = (document as DocumentNode).definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  return { type: operation?.operation ?? 'unknown', name: operation?.name?.value ?? 'anonymous' };
}

const hasErrors = (result: unknown) =>
  typeof result === 'object' &&
  result !== null &&
  'errors' in result &&
  ((result as { errors?: unknown[] }).errors?.length ?? 0) > 0;

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * `GET /metrics` in Prometheus' text format, and a count of every GraphQL operation. Queries and
 * mutations are counted when executed; subscriptions (over graphql-ws and SSE alike, which both
 * subscribe through these plugins and never reach onExecute) once each, when they end, as `error`
 * if any result they streamed had errors or the stream failed.
 */
export function useMetrics(metrics: Metrics): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics' || request.method !== 'GET') return;
      endResponse(
        new fetchAPI.Response(await metrics.registry.metrics(), {
          headers: { 'content-type': metrics.registry.contentType },
        }),
      );
    },
    onExecute({ args }) {
      const labels = describe(args.document);
      return {
        onExecuteDone({ result }) {
          metrics.operations.inc({ ...labels, outcome: hasErrors(result) ? 'error' : 'ok' });
        },
      };
    },
    onSubscribe({ args }) {
      const labels = describe(args.document);
      let outcome: Outcome = 'ok';
      let counted = false;
      // A stream can end several ways (completed, stopped by its client, failed), some of which
      // are reported twice: it counts once.
      const count = () => {
        if (counted) return;
        counted = true;
        metrics.operations.inc({ ...labels, outcome });
      };
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            // Refused before any stream began (a bad variable, say).
            if (hasErrors(result)) outcome = 'error';
            count();
            return;
          }
          return {
            onNext({ result: next }) {
              if (hasErrors(next)) outcome = 'error';
            },
            onEnd: count,
          };
        },
        onSubscribeError() {
          outcome = 'error';
          count();
        },
      };
    },
  };
}
