import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql } from './support/graphql.ts';

/**
 * Bounds on what clients can make the gateway hold or do (issue 17): metric labels, and who may
 * read /metrics or call from a browser in production.
 */

const ACME = 'acme-key-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789';

let t: TestGateway;
let production: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ env: { GATEWAY_API_KEYS: `acme:${ACME}` } });
  production = await startTestGateway({
    env: {
      NODE_ENV: 'production',
      GATEWAY_API_KEYS: `acme:${ACME}`,
      METRICS_TOKEN,
    },
  });
});
afterAll(async () => {
  await t?.close();
  await production?.close();
});

describe('GraphQL operation metrics', () => {
  it('are labelled by root field only, whatever names clients give their operations', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `TenantSecretOperation${i}`);
    for (const name of names) {
      await graphql(t.graphqlUrl, `query ${name} { models { id } }`, undefined, ACME);
    }
    await graphql(
      t.graphqlUrl,
      'query Two { models { id } tasks { edges { cursor } } }',
      undefined,
      ACME,
    );
    const text = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(text).not.toContain('TenantSecretOperation');
    const labels = text
      .split('\n')
      .filter((line) => line.startsWith('gateway_graphql_operations_total{'))
      .map((line) => line.slice(0, line.lastIndexOf(' ')));
    expect(labels).toContain(
      'gateway_graphql_operations_total{type="query",field="models",outcome="ok"}',
    );
    expect(labels).toContain(
      'gateway_graphql_operations_total{type="query",field="multiple",outcome="ok"}',
    );
  });
});

describe('in production', () => {
  it('allows no browser origin when CORS_ORIGINS is unset', async () => {
    const preflight = await fetch(production.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(production.graphqlUrl, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        authorization: `Bearer ${ACME}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query: '{ models { id } }' }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves /metrics only with the metrics token', async () => {
    const metrics = (authorization?: string) =>
      fetch(`${production.gateway.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
    const anonymous = await metrics();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      errors: [
        {
          message: '/metrics needs Authorization: Bearer <METRICS_TOKEN>',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    expect((await metrics(`Bearer ${ACME}`)).status).toBe(401);
    const allowed = await metrics(`Bearer ${METRICS_TOKEN}`);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('gateway_graphql_operations_total');
  });
});
