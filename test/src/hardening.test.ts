import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql } from './support/graphql.ts';

const KEY = 'prod-key-0123456789abcdef';
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: {
      NODE_ENV: 'production',
      GATEWAY_API_KEYS: `acme:${KEY}`,
      CORS_ORIGINS: 'https://app.example.com',
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const ask = (query: string) => graphql(t.graphqlUrl, query, undefined, KEY);

describe('in production', () => {
  it('refuses to start without any API key, saying why', async () => {
    await expect(startTestGateway({ env: { NODE_ENV: 'production' } })).rejects.toThrow(
      /no API key is configured and NODE_ENV is production/,
    );
  });

  it('serves no GraphiQL and answers no introspection', async () => {
    const page = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
    const introspection = await ask('{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('answers a GET of an operation that accepts HTML with 401 without a key, as GraphiQL is off', async () => {
    // Issue 17, item 6: the key check was skipped for any GET accepting text/html (GraphiQL's
    // page), and with GraphiQL off the operation ran: validation errors mapped the schema.
    for (const query of [
      '{ __typename }',
      '{ tasks { nope } }',
      '{ __schema { types { name } } }',
    ]) {
      const response = await fetch(`${t.graphqlUrl}?query=${encodeURIComponent(query)}`, {
        headers: { accept: 'text/html, application/json' },
      });
      expect(response.status, query).toBe(401);
      expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('allows browsers only from the configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(t.graphqlUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect(
      (await preflight('https://app.example.com')).headers.get('access-control-allow-origin'),
    ).toBe('https://app.example.com');
    const evil = (await preflight('https://evil.example.com')).headers.get(
      'access-control-allow-origin',
    );
    expect(evil).not.toBe('https://evil.example.com');
    expect(evil).not.toBe('*');
  });
});

describe('query limits', () => {
  it('refuses a document nested deeper than 10', async () => {
    const deep = `{ tasks { edges { node { character { task { character { task { character { task { character { task { id } } } } } } } } } } } }`;
    const answer = await ask(deep);
    expect(answer.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('refuses more than 15 aliases', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: credits`).join(' ');
    expect((await ask(`{ ${aliases} }`)).errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('refuses a huge document by its tokens', async () => {
    const fields = Array.from({ length: 1500 }, () => '__typename').join(' ');
    const answer = await ask(`{ ${fields} }`);
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.message).toMatch(/token|aborted/i);
  });

  it('refuses a JSON body over 1 MB before reading it', async () => {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ query: '{ credits }', variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
  });

  it('masks unexpected errors', async () => {
    // A cursor that decodes but names no row is a user error; an internal failure is masked.
    const bad = await ask('{ tasks(first: -1) { edges { node { id } } } }');
    expect(bad.errors?.[0]?.message).toBe('first is -1; must be between 0 and 100');
  });
});
