import {
  API_KEY_PREFIX,
  apiKeys,
  countActiveApiKeys,
  createApiKey,
  type DatabaseHandle,
  hashApiKey,
  listApiKeys,
  ownerOfApiKey,
  revokeApiKeys,
} from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from './support/database.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await openTestDatabase();
  handle = database.handle;
});
afterAll(async () => {
  await database?.close();
});

/** Each test's owners are its own, so that the tests do not see each other's keys. */
let owners = 0;
const newOwner = () => `owner-${++owners}.${Date.now()}`;

describe('API keys', () => {
  it('makes a key that finds its owner and stores only its hash and prefix', async () => {
    const owner = newOwner();
    const created = await createApiKey(handle.db, owner);
    expect(created.owner).toBe(owner);
    expect(created.key).toMatch(/^cag_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(await ownerOfApiKey(handle.db, created.key)).toBe(owner);

    const rows = await handle.db.select().from(apiKeys);
    const row = rows.find((candidate) => candidate.id === created.id);
    expect(row).toMatchObject({ owner, prefix: created.prefix, revokedAt: null });
    expect(row?.keySha256).toBe(hashApiKey(created.key));
    expect(row?.keySha256).toMatch(/^[0-9a-f]{64}$/);
    // No column of any row holds the key, nor the part of it that the prefix leaves out.
    for (const stored of rows) {
      for (const [column, value] of Object.entries(stored)) {
        expect(String(value), column).not.toContain(created.key);
        expect(String(value), column).not.toContain(created.key.slice(12));
      }
    }
  });

  it('makes a different key each time', async () => {
    const owner = newOwner();
    const a = await createApiKey(handle.db, owner);
    const b = await createApiKey(handle.db, owner);
    expect(a.key).not.toBe(b.key);
    expect(a.id).not.toBe(b.id);
  });

  it('finds no owner for an unknown, empty or altered key', async () => {
    const created = await createApiKey(handle.db, newOwner());
    expect(await ownerOfApiKey(handle.db, `${API_KEY_PREFIX}unknown`)).toBeUndefined();
    expect(await ownerOfApiKey(handle.db, '')).toBeUndefined();
    expect(await ownerOfApiKey(handle.db, `${created.key}x`)).toBeUndefined();
    expect(await ownerOfApiKey(handle.db, created.key.slice(0, -1))).toBeUndefined();
    expect(await ownerOfApiKey(handle.db, hashApiKey(created.key))).toBeUndefined();
  });

  it('revokes by id, once', async () => {
    const owner = newOwner();
    const kept = await createApiKey(handle.db, owner);
    const revoked = await createApiKey(handle.db, owner);
    expect(await revokeApiKeys(handle.db, { id: revoked.id })).toBe(1);
    expect(await ownerOfApiKey(handle.db, revoked.key)).toBeUndefined();
    expect(await ownerOfApiKey(handle.db, kept.key)).toBe(owner);
    expect(await revokeApiKeys(handle.db, { id: revoked.id })).toBe(0);
  });

  it('revokes by the whole key, once', async () => {
    const owner = newOwner();
    const kept = await createApiKey(handle.db, owner);
    const revoked = await createApiKey(handle.db, owner);
    expect(await revokeApiKeys(handle.db, { key: revoked.key })).toBe(1);
    expect(await ownerOfApiKey(handle.db, revoked.key)).toBeUndefined();
    expect(await ownerOfApiKey(handle.db, kept.key)).toBe(owner);
    expect(await revokeApiKeys(handle.db, { key: revoked.key })).toBe(0);
    expect(await revokeApiKeys(handle.db, { key: 'cag_never-made' })).toBe(0);
  });

  it("revokes every active key of an owner, and no one else's", async () => {
    const owner = newOwner();
    const other = newOwner();
    const first = await createApiKey(handle.db, owner);
    const second = await createApiKey(handle.db, owner);
    const third = await createApiKey(handle.db, owner);
    const others = await createApiKey(handle.db, other);
    expect(await revokeApiKeys(handle.db, { id: first.id })).toBe(1);
    expect(await revokeApiKeys(handle.db, { owner })).toBe(2);
    for (const key of [first, second, third]) {
      expect(await ownerOfApiKey(handle.db, key.key)).toBeUndefined();
    }
    expect(await ownerOfApiKey(handle.db, others.key)).toBe(other);
    expect(await revokeApiKeys(handle.db, { owner })).toBe(0);
    expect(await revokeApiKeys(handle.db, { owner: newOwner() })).toBe(0);
  });

  it('treats an id that is not a uuid as naming no key', async () => {
    await createApiKey(handle.db, newOwner());
    for (const id of [
      '',
      'nope',
      '1',
      "'; drop table api_keys; --",
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    ]) {
      expect(await revokeApiKeys(handle.db, { id }), id).toBe(0);
    }
    expect(await revokeApiKeys(handle.db, { id: '00000000-0000-4000-8000-000000000000' })).toBe(0);
  });

  it('lists keys with their prefix and dates, never the key or its hash', async () => {
    const owner = newOwner();
    const first = await createApiKey(handle.db, owner);
    const second = await createApiKey(handle.db, owner);
    await createApiKey(handle.db, newOwner());
    await revokeApiKeys(handle.db, { id: first.id });

    const listed = await listApiKeys(handle.db, owner);
    expect(listed.map((key) => key.id)).toEqual([first.id, second.id]);
    const [revoked, active] = listed;
    expect(revoked).toEqual({
      id: first.id,
      owner,
      prefix: first.prefix,
      createdAt: expect.any(Date),
      revokedAt: expect.any(Date),
    });
    expect(active).toEqual({
      id: second.id,
      owner,
      prefix: second.prefix,
      createdAt: expect.any(Date),
      revokedAt: null,
    });
    const text = JSON.stringify(listed);
    for (const key of [first, second]) {
      expect(text).not.toContain(key.key);
      expect(text).not.toContain(hashApiKey(key.key));
    }

    const everyone = await listApiKeys(handle.db);
    expect(everyone.length).toBeGreaterThanOrEqual(3);
    expect(everyone.map((key) => key.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(JSON.stringify(everyone)).not.toContain(second.key);
  });

  it('counts the active keys', async () => {
    const before = await countActiveApiKeys(handle.db);
    const owner = newOwner();
    const a = await createApiKey(handle.db, owner);
    await createApiKey(handle.db, owner);
    expect(await countActiveApiKeys(handle.db)).toBe(before + 2);
    await revokeApiKeys(handle.db, { id: a.id });
    expect(await countActiveApiKeys(handle.db)).toBe(before + 1);
    await revokeApiKeys(handle.db, { owner });
    expect(await countActiveApiKeys(handle.db)).toBe(before);
  });

  it('refuses an owner name outside [A-Za-z0-9_.-]{1,64}', async () => {
    const before = await countActiveApiKeys(handle.db);
    for (const owner of ['', 'has space', 'slash/owner', 'ünïcode', 'a'.repeat(65), 'new\nline']) {
      await expect(createApiKey(handle.db, owner), JSON.stringify(owner)).rejects.toThrow(
        /owner must be 1 to 64 characters/,
      );
    }
    expect(await countActiveApiKeys(handle.db)).toBe(before);
    expect((await createApiKey(handle.db, 'a'.repeat(64))).owner).toBe('a'.repeat(64));
    expect((await createApiKey(handle.db, 'A-z_0.9')).owner).toBe('A-z_0.9');
  });

  it('hashes with hex SHA-256', () => {
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
