import type { Plugin } from 'graphql-yoga';
import { jsonResponse } from './json-response.ts';

/** `GET /health`: 200 while the database answers, 503 otherwise. */
export function useHealth(options: { ping: () => Promise<void>; database: string }): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/health') return;
      let status = 200;
      try {
        await options.ping();
      } catch {
        status = 503;
      }
      endResponse(
        jsonResponse(fetchAPI, status, {
          status: status === 200 ? 'ok' : 'unhealthy',
          database: options.database,
        }),
      );
    },
  };
}
