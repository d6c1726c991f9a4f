import {
  API_KEY_PREFIX,
  apiKeys,
  countActiveApiKeys,
  createApiKey,
  hashApiKey,
  listApiKeys,
  ownerOfApiKey,
  revokeApiKeys,
} from '@charanim/db';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';

const database = useTestDatabase();

/** Each test's owners are its own, so that the tests do not see each other's keys. */
let owners = 0;
const newOwner = () => `owner-${++owners}.${Date.now()}`;

describe('API keys', () => {
  it('makes a key that finds its owner and stores only its hash and prefix', async () => {
    const owner = newOwner();
    const created = await createApiKey(database().db, owner);
    expect(created.owner).toBe(owner);
    expect(created.key).toMatch(/^cag_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(await ownerOfApiKey(database().db, created.key)).toBe(owner);

    const rows = await database().db.select().from(apiKeys);
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
    const a = await createApiKey(database().db, owner);
    const b = await createApiKey(database().db, owner);
    expect(a.key).not.toBe(b.key);
    expect(a.id).not.toBe(b.id);
  });

  it('finds no owner for an unknown, empty or altered key', async () => {
    const created = await createApiKey(database().db, newOwner());
    expect(await ownerOfApiKey(database().db, `${API_KEY_PREFIX}unknown`)).toBeUndefined();
    expect(await ownerOfApiKey(database().db, '')).toBeUndefined();
    expect(await ownerOfApiKey(database().db, `${created.key}x`)).toBeUndefined();
    expect(await ownerOfApiKey(database().db, created.key.slice(0, -1))).toBeUndefined();
    expect(await ownerOfApiKey(database().db, hashApiKey(created.key))).toBeUndefined();
  });

  it('revokes by id, once', async () => {
    const owner = newOwner();
    const kept = await createApiKey(database().db, owner);
    const revoked = await createApiKey(database().db, owner);
    expect(await revokeApiKeys(database().db, { id: revoked.id })).toBe(1);
    expect(await ownerOfApiKey(database().db, revoked.key)).toBeUndefined();
    expect(await ownerOfApiKey(database().db, kept.key)).toBe(owner);
    expect(await revokeApiKeys(database().db, { id: revoked.id })).toBe(0);
  });

  it('revokes by the whole key, once', async () => {
    const owner = newOwner();
    const kept = await createApiKey(database().db, owner);
    const revoked = await createApiKey(database().db, owner);
    expect(await revokeApiKeys(database().db, { key: revoked.key })).toBe(1);
    expect(await ownerOfApiKey(database().db, revoked.key)).toBeUndefined();
    expect(await ownerOfApiKey(database().db, kept.key)).toBe(owner);
    expect(await revokeApiKeys(database().db, { key: revoked.key })).toBe(0);
    expect(await revokeApiKeys(database().db, { key: 'cag_never-made' })).toBe(0);
  });

  it("revokes every active key of an owner, and no one else's", async () => {
    const owner = newOwner();
    const other = newOwner();
    const first = await createApiKey(database().db, owner);
    const second = await createApiKey(database().db, owner);
    const third = await createApiKey(database().db, owner);
    const others = await createApiKey(database().db, other);
    expect(await revokeApiKeys(database().db, { id: first.id })).toBe(1);
    expect(await revokeApiKeys(database().db, { owner })).toBe(2);
    for (const key of [first, second, third]) {
      expect(await ownerOfApiKey(database().db, key.key)).toBeUndefined();
    }
    expect(await ownerOfApiKey(database().db, others.key)).toBe(other);
    expect(await revokeApiKeys(database().db, { owner })).toBe(0);
    expect(await revokeApiKeys(database().db, { owner: newOwner() })).toBe(0);
  });

  it('treats an id that is not a uuid as naming no key', async () => {
    await createApiKey(database().db, newOwner());
    for (const id of [
      '',
      'nope',
      '1',
      "'; drop table api_keys; --",
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    ]) {
      expect(await revokeApiKeys(database().db, { id }), id).toBe(0);
    }
    expect(await revokeApiKeys(database().db, { id: '00000000-0000-4000-8000-000000000000' })).toBe(
      0,
    );
  });

  it('lists keys with their prefix and dates, never the key or its hash', async () => {
    const owner = newOwner();
    const first = await createApiKey(database().db, owner);
    const second = await createApiKey(database().db, owner);
    await createApiKey(database().db, newOwner());
    await revokeApiKeys(database().db, { id: first.id });

    const listed = await listApiKeys(database().db, owner);
    // Oldest first; two keys made in the same millisecond come in id order.
    const times = listed.map((key) => key.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(listed.map((key) => key.id).sort()).toEqual([first.id, second.id].sort());
    const revoked = listed.find((key) => key.id === first.id);
    const active = listed.find((key) => key.id === second.id);
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

    const everyone = await listApiKeys(database().db);
    expect(everyone.length).toBeGreaterThanOrEqual(3);
    expect(everyone.map((key) => key.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(JSON.stringify(everyone)).not.toContain(second.key);
  });

  it('counts the active keys', async () => {
    const before = await countActiveApiKeys(database().db);
    const owner = newOwner();
    const a = await createApiKey(database().db, owner);
    await createApiKey(database().db, owner);
    expect(await countActiveApiKeys(database().db)).toBe(before + 2);
    await revokeApiKeys(database().db, { id: a.id });
    expect(await countActiveApiKeys(database().db)).toBe(before + 1);
    await revokeApiKeys(database().db, { owner });
    expect(await countActiveApiKeys(database().db)).toBe(before);
  });

  it('refuses an owner name outside [A-Za-z0-9_.-]{1,64}', async () => {
    const before = await countActiveApiKeys(database().db);
    for (const owner of ['', 'has space', 'slash/owner', 'ünïcode', 'a'.repeat(65), 'new\nline']) {
      await expect(createApiKey(database().db, owner), JSON.stringify(owner)).rejects.toThrow(
        /owner must be 1 to 64 characters/,
      );
    }
    expect(await countActiveApiKeys(database().db)).toBe(before);
    expect((await createApiKey(database().db, 'a'.repeat(64))).owner).toBe('a'.repeat(64));
    expect((await createApiKey(database().db, 'A-z_0.9')).owner).toBe('A-z_0.9');
  });

  it('hashes with hex SHA-256', () => {
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
