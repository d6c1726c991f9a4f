import { hashApiKey } from '@charanim/db';
import { type DocumentNode, type GraphQLSchema, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { bearerToken } from '../auth/authenticator.ts';
import { jsonResponse } from '../plugins/json-response.ts';
import { hasErrors, onSubscriptionEnd } from '../plugins/subscription-end.ts';
import type { Metrics } from './registry.ts';

export const METRICS_PATH = '/metrics';

/** Root fields every schema has, which a label may name beside the schema's own. */
const META_FIELDS = new Set(['__typename', '__schema', '__type']);

/**
 * The operation's type and root field, as the counter labels them. Only names the schema defines
 * become labels (`multiple` for several root fields, `unknown` for anything else): an operation's
 * own name is the client's to choose, so labelled by it a client could grow /metrics without
 * bound, and /metrics would list every tenant's operation names.
 */
function describe(args: {
  document: unknown;
  operationName?: string | null | undefined;
  schema: GraphQLSchema;
}): { type: string; field: string } {
  const operation = getOperationAST(args.document as DocumentNode, args.operationName);
  if (!operation) return { type: 'unknown', field: 'unknown' };
  const [only, ...others] = operation.selectionSet.selections;
  if (only?.kind !== Kind.FIELD || others.length > 0) {
    return { type: operation.operation, field: 'multiple' };
  }
  const name = only.name.value;
  const root = args.schema.getRootType(operation.operation)?.getFields() ?? {};
  const known = META_FIELDS.has(name) || Object.hasOwn(root, name);
  return { type: operation.operation, field: known ? name : 'unknown' };
}

export interface MetricsAccess {
  /** `/metrics` answers anyone. */
  public: boolean;
  /** Otherwise it answers `Authorization: Bearer <token>`, and nobody without a token. */
  token: string | undefined;
}

/**
 * `GET /metrics` in Prometheus' text format, and a count of every GraphQL operation. Queries and
 * mutations are counted when executed; subscriptions (over graphql-ws and SSE alike, which both
 * subscribe through these plugins and never reach onExecute) once each, when they end, as `error`
 * if any result they streamed had errors or the stream failed.
 */
export function useMetrics(metrics: Metrics, access: MetricsAccess): Plugin {
  // Compared by their SHA-256, as API keys are, never as text.
  const tokenHash = access.token === undefined ? undefined : hashApiKey(access.token);
  const allowed = (request: Request) => {
    if (access.public) return true;
    const given = bearerToken(request.headers.get('authorization'));
    return tokenHash !== undefined && given !== undefined && hashApiKey(given) === tokenHash;
  };
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH || request.method !== 'GET') return;
      if (!allowed(request)) {
        const response = jsonResponse(fetchAPI, 401, {
          errors: [
            {
              message: '/metrics needs Authorization: Bearer <METRICS_TOKEN>',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        });
        response.headers.set('www-authenticate', 'Bearer');
        return endResponse(response);
      }
      endResponse(
        new fetchAPI.Response(await metrics.registry.metrics(), {
          headers: { 'content-type': metrics.registry.contentType },
        }),
      );
    },
    onExecute({ args }) {
      const labels = describe(args);
      return {
        onExecuteDone({ result }) {
          metrics.operations.inc({ ...labels, outcome: hasErrors(result) ? 'error' : 'ok' });
        },
      };
    },
    onSubscribe({ args }) {
      const labels = describe(args);
      return onSubscriptionEnd((hadErrors) =>
        metrics.operations.inc({ ...labels, outcome: hadErrors ? 'error' : 'ok' }),
      );
    },
  };
}
