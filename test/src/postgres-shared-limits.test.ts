import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { createFox } from './support/graphql.ts';

/**
 * Two gateways on one PostgreSQL database (each with an emulator of its own, which stands for the
 * one kie.ai account): the create limit and an owner's mutation budget are the database's, so
 * that together the instances keep them as one would.
 */

const KEY = 'acme-key-0123456789abcdef';

let database: TestDatabase;
let gateways: TestGateway[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const env = {
    GATEWAY_API_KEYS: `acme:${KEY}`,
    KIE_CREATE_LIMIT: '3',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '7',
    // Long enough for a create to be admitted, far shorter than a 10 s window.
    CREATE_TIMEOUT_MS: '1500',
  };
  // The first migrates the database; the second finds it ready.
  gateways.push(await startTestGateway({ database, env }));
  gateways.push(await startTestGateway({ database, env }));
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  gateways = [];
  await database?.drop();
});

const create = (gateway: TestGateway) => createFox(gateway.graphqlUrl, KEY);

const sentToKie = () =>
  gateways.reduce(
    (sum, gateway) =>
      sum + gateway.emulator.calls.filter((call) => call.route === 'createTask').length,
    0,
  );

describe('limits shared by two instances on one database', () => {
  it('sends KIE_CREATE_LIMIT creates in 10 s from both together, and spends one mutation budget', async () => {
    const first = await Promise.all(
      [0, 1, 0, 1, 0, 1].map((instance) => create(gateways[instance] as TestGateway)),
    );
    const kinds = first.map((answer) => answer.__typename).sort();
    expect(kinds).toEqual([
      'CreateCharacterSuccess',
      'CreateCharacterSuccess',
      'CreateCharacterSuccess',
      'RateLimitedError',
      'RateLimitedError',
      'RateLimitedError',
    ]);
    expect(sentToKie()).toBe(3);
    for (const refused of first.filter((answer) => answer.__typename === 'RateLimitedError')) {
      expect(refused.message).toMatch(/KIE_CREATE_LIMIT/);
    }

    // Six of the owner's seven mutations are spent, whichever instance took them: the seventh
    // goes through to the create limit, the eighth is refused by the budget on the other one.
    expect((await create(gateways[0] as TestGateway)).message).toMatch(/KIE_CREATE_LIMIT/);
    expect((await create(gateways[1] as TestGateway)).message).toMatch(
      /too many requests for this owner; retry after \d+ s/,
    );
    expect(sentToKie()).toBe(3);
  });
});
