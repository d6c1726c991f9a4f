import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /health', () => {
  it('answers 200 with the database kind while the database answers', async () => {
    const response = await fetch(`${t.gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      database: process.env.TEST_DATABASE === 'pglite' ? 'pglite' : 'postgres',
    });
  });

  it('serves GraphiQL with example operations to a browser', async () => {
    const response = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('createCharacter');
    expect(page).toContain('taskUpdated');
  });
});
