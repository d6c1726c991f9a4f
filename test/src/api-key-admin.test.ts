import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import {
  type GraphQLResponse,
  graphql,
  LIST_TASKS,
  statusOf,
  within,
  wsSession,
} from './support/graphql.ts';

/**
 * Issue 18, item 2: keys are made, listed and revoked through GraphQL by the keys of admin owners
 * (ADMIN_OWNERS), so that they can be managed while a gateway runs, on PGlite too; anyone else
 * gets a ForbiddenError and nothing is done.
 */

const ADMIN = 'admin-key-0123456789abcdef';
const USER = 'user-key-0123456789abcdef';
const KEY_FIELDS = 'id owner prefix createdAt revokedAt';
const ERRORS = '... on Error { __typename message }';
const FIELD = '... on ValidationError { field }';

const CREATE = `mutation($owner: String!) { createApiKey(owner: $owner) { __typename ${ERRORS} ${FIELD} ... on CreateApiKeySuccess { key apiKey { ${KEY_FIELDS} } } } }`;
const LIST = `query($owner: String) { apiKeys(owner: $owner) { __typename ${ERRORS} ... on ApiKeyList { keys { ${KEY_FIELDS} } } } }`;
const REVOKE = `mutation($input: RevokeApiKeysInput!) { revokeApiKeys(input: $input) { __typename ${ERRORS} ${FIELD} ... on RevokeApiKeysSuccess { revokedCount } } }`;

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: {
      GATEWAY_API_KEYS: `ops:${ADMIN},bob:${USER}`,
      ADMIN_OWNERS: 'ops',
      // No periodic read of the key table within a test: what a mutation changes applies at once.
      API_KEY_CHECK_MS: '600000',
    },
  });
});
afterAll(async () => {
  await t?.close();
});

/** The one field an operation answers, as the given key. */
async function as(key: string | undefined, query: string, variables: Record<string, unknown>) {
  const response: GraphQLResponse = await graphql(t.graphqlUrl, query, variables, key);
  expect(response.errors).toBeUndefined();
  return Object.values(response.data ?? {})[0];
}

const status = (key: string) => statusOf(t.graphqlUrl, key);

describe('key management through GraphQL', () => {
  it('lets an admin make a key, shown once, that works at once', async () => {
    const created = await as(ADMIN, CREATE, { owner: 'carol' });
    expect(created).toEqual({
      __typename: 'CreateApiKeySuccess',
      key: expect.stringMatching(/^cag_[A-Za-z0-9_-]{43}$/),
      apiKey: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        owner: 'carol',
        prefix: created.key.slice(0, 12),
        createdAt: expect.any(String),
        revokedAt: null,
      },
    });
    expect(await status(created.key)).toBe(200);

    const listed = await as(ADMIN, LIST, { owner: 'carol' });
    expect(listed).toEqual({ __typename: 'ApiKeyList', keys: [created.apiKey] });
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it('lets an admin revoke a key by id, by the key, or every key of an owner', async () => {
    const [a, b, c, d] = await Promise.all(
      ['dave', 'dave', 'dave', 'erin'].map((owner) => as(ADMIN, CREATE, { owner })),
    );
    const revoke = (input: Record<string, string>) => as(ADMIN, REVOKE, { input });
    expect(await revoke({ id: a.apiKey.id })).toEqual({
      __typename: 'RevokeApiKeysSuccess',
      revokedCount: 1,
    });
    expect(await revoke({ key: b.key })).toMatchObject({ revokedCount: 1 });
    expect(await revoke({ owner: 'dave' })).toMatchObject({ revokedCount: 1 });
    expect(await revoke({ owner: 'dave' })).toMatchObject({ revokedCount: 0 });
    // Refused at once on this instance, before its next read of the key table.
    for (const key of [a, b, c]) expect(await status(key.key)).toBe(401);
    expect(await status(d.key)).toBe(200);

    const listed = await as(ADMIN, LIST, { owner: 'dave' });
    expect(listed.keys).toHaveLength(3);
    expect(listed.keys.every((key: { revokedAt: string | null }) => key.revokedAt)).toBe(true);
  });

  it("closes a revoked key's graphql-ws connection when the mutation answers", async () => {
    const { key } = await as(ADMIN, CREATE, { owner: 'frank' });
    const session = wsSession(t.wsUrl, key);
    try {
      expect((await session.first(LIST_TASKS)).data).toBeTruthy();
      expect(await as(ADMIN, REVOKE, { input: { key } })).toMatchObject({ revokedCount: 1 });
      // The mutation reads the key table before it answers: the periodic read is 10 minutes away.
      expect((await within(session.closed, 10_000, 'the close')).code).toBe(4401);
    } finally {
      await session.client.dispose();
    }
  });

  it('accepts an admin key from the database as well', async () => {
    const { key } = await as(ADMIN, CREATE, { owner: 'ops' });
    expect(await as(key, CREATE, { owner: 'grace' })).toMatchObject({
      __typename: 'CreateApiKeySuccess',
    });
  });

  it('answers a ValidationError for a bad owner or selection, and changes nothing', async () => {
    expect(await as(ADMIN, CREATE, { owner: 'has space' })).toEqual({
      __typename: 'ValidationError',
      field: 'owner',
      message:
        'an API key owner must be 1 to 64 characters, each a letter, a digit, ".", "_" or "-"',
    });
    for (const input of [{}, { id: 'x', owner: 'dave' }]) {
      expect(await as(ADMIN, REVOKE, { input })).toEqual({
        __typename: 'ValidationError',
        field: null,
        message: 'give exactly one of id, key, owner',
      });
    }
    expect((await as(ADMIN, LIST, { owner: 'has space' })).keys).toEqual([]);
  });

  it('refuses everyone else with a ForbiddenError, and does nothing', async () => {
    const { key } = await as(ADMIN, CREATE, { owner: 'henry' });
    const forbidden = {
      __typename: 'ForbiddenError',
      message: 'only a key of an admin owner (ADMIN_OWNERS) may manage API keys',
    };
    expect(await as(USER, CREATE, { owner: 'mallory' })).toEqual(forbidden);
    expect(await as(USER, LIST, {})).toEqual(forbidden);
    expect(await as(USER, REVOKE, { input: { owner: 'henry' } })).toEqual(forbidden);
    expect((await as(ADMIN, LIST, { owner: 'mallory' })).keys).toEqual([]);
    expect(await status(key)).toBe(200);
  });
});

describe('an anonymous gateway', () => {
  it('never treats its anonymous callers as admins, even when ADMIN_OWNERS names local', async () => {
    const anonymous = await startTestGateway({ env: { ADMIN_OWNERS: 'local' } });
    try {
      const response = await graphql(anonymous.graphqlUrl, CREATE, { owner: 'mallory' });
      expect(response.data?.createApiKey?.__typename).toBe('ForbiddenError');
      expect(await graphql(anonymous.graphqlUrl, LIST_TASKS)).toEqual({
        data: { tasks: { edges: [] } },
      });
    } finally {
      await anonymous.close();
    }
  });
});
