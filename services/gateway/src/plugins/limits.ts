import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import { jsonResponse } from './json-response.ts';

/**
 * Bounds on what one operation may ask: depth, cost, aliases, directives and tokens
 * (graphql-armor), field suggestions hidden in production, and introspection as configured.
 */
export function queryLimits(config: Config): Plugin<any>[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: 10, ignoreIntrospection: true },
      costLimit: { maxCost: 5000, ignoreIntrospection: true },
      maxAliases: { n: 15 },
      maxDirectives: { n: 10 },
      maxTokens: { n: 2000 },
      blockFieldSuggestion: { enabled: config.production },
    }),
    ...(config.introspection ? [] : [useDisableIntrospection()]),
  ];
}

/** A JSON body that says up front it is larger than `maxBytes` is refused before it is read. */
export function useJsonBodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const type = request.headers.get('content-type') ?? '';
      if (request.method !== 'POST' || type.toLowerCase().startsWith('multipart/form-data')) return;
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > maxBytes) {
        endResponse(
          jsonResponse(fetchAPI, 413, {
            errors: [
              {
                message: `the request body is ${declared.toLocaleString('en-US')} bytes; must be at most ${maxBytes.toLocaleString('en-US')}`,
                extensions: { code: 'PAYLOAD_TOO_LARGE' },
              },
            ],
          }),
        );
      }
    },
  };
}
