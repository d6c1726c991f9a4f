import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { requestLogContext } from '../logger.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An id a proxy in front may already have given the request: kept when it is short and made of
 * plain characters, so that it can neither forge a log line nor bloat every one of them.
 */
const ACCEPTED_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/**
 * Gives every HTTP request an id (the incoming `x-request-id`, or a new UUID), answers it in the
 * `x-request-id` header, and handles the request inside `requestLogContext`, so that each log line
 * written meanwhile carries it as `reqId`.
 */
export function useRequestId(): Plugin {
  return {
    instrumentation: {
      request({ request }, handle) {
        const incoming = request.headers.get(REQUEST_ID_HEADER);
        const reqId = incoming && ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
        return requestLogContext.run({ reqId }, handle);
      },
    },
    onResponse({ response }) {
      const context = requestLogContext.getStore();
      if (context) response.headers.set(REQUEST_ID_HEADER, context.reqId);
    },
  };
}
