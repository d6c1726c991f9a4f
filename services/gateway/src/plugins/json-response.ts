import type { FetchAPI } from 'graphql-yoga';

/** A JSON answer; built by hand because the fetch ponyfill's `Response.json` sends no body here. */
export function jsonResponse(fetchAPI: FetchAPI, status: number, body: unknown): Response {
  return new fetchAPI.Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
