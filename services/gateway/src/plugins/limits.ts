import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { GraphQLError } from 'graphql';
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

/** Deeper nesting than this is refused before parsing: graphql-js parses it recursively. */
export const MAX_NESTING = 64;

/**
 * The deepest nesting of (), [] and {} in a document; strings, block strings and comments aside,
 * each read as graphql-js reads it, so that a quote inside one cannot hide the rest of the document.
 */
export function nestingOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n' && text[i + 1] !== '\r') i += 1;
    } else if (text.startsWith('"""', i)) {
      // A block string may hold lone quotes; only \""" escapes its end.
      i += 3;
      while (i < text.length && !text.startsWith('"""', i))
        i += text.startsWith('\\"""', i) ? 4 : 1;
      i += 2;
    } else if (char === '"') {
      // A string ends at its closing quote or, unterminated, at the end of its line.
      i += 1;
      while (i < text.length && !'"\n\r'.includes(text[i] as string)) i += text[i] === '\\' ? 2 : 1;
    } else if (char === '(' || char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
  }
  return deepest;
}

const badRequest = (message: string, code = 'BAD_REQUEST', status = 400) =>
  new GraphQLError(message, { extensions: { code, http: { status } } });

/**
 * Requests graphql-yoga would answer with a 500 or parse at great cost, refused as 4xx: form-encoded
 * bodies, GET parameters that are not JSON, and documents nested deeper than MAX_NESTING.
 */
export function useRequestShape(): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const type = (request.headers.get('content-type') ?? '').toLowerCase();
      if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
        return endResponse(
          jsonResponse(fetchAPI, 415, {
            errors: [
              {
                message: 'send application/json or multipart/form-data',
                extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
              },
            ],
          }),
        );
      }
      for (const name of ['variables', 'extensions']) {
        const value = url.searchParams.get(name);
        if (value === null) continue;
        try {
          JSON.parse(value);
        } catch {
          return endResponse(
            jsonResponse(fetchAPI, 400, {
              errors: [
                {
                  message: `the ${name} parameter is not JSON`,
                  extensions: { code: 'BAD_REQUEST' },
                },
              ],
            }),
          );
        }
      }
    },
    onParams({ params, setResult }) {
      if (typeof params.query === 'string' && nestingOf(params.query) > MAX_NESTING) {
        setResult({ errors: [badRequest(`the document is nested deeper than ${MAX_NESTING}`)] });
      }
    },
  };
}
