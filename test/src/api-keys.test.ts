import {
  API_KEY_PREFIX,
  activeApiKeyOwners,
  apiKeys,
  apiKeyTableState,
  createApiKey,
  hashApiKey,
  InvalidApiKeyOwnerError,
  listApiKeys,
  revokeApiKeys,
} from '@charanim/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';

const database = useTestDatabase();

/** Each test's owners are its own, so that the tests do not see each other's keys. */
let owners = 0;
const newOwner = () => `owner-${++owners}.${Date.now()}`;

/** The owner of an active key, looked up by its hash as the gateway does. */
const ownerOf = async (key: string) =>
  (await activeApiKeyOwners(database().db, [hashApiKey(key)])).get(hashApiKey(key));

describe('API keys', () => {
  it('makes a key that finds its owner and stores only its hash and prefix', async () => {
    const owner = newOwner();
    const created = await createApiKey(database().db, owner);
    expect(created.owner).toBe(owner);
    expect(created.key).toMatch(/^cag_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await ownerOf(created.key)).toBe(owner);

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
    expect(await ownerOf(`${API_KEY_PREFIX}unknown`)).toBeUndefined();
    expect(await ownerOf('')).toBeUndefined();
    expect(await ownerOf(`${created.key}x`)).toBeUndefined();
    expect(await ownerOf(created.key.slice(0, -1))).toBeUndefined();
    expect(await ownerOf(hashApiKey(created.key))).toBeUndefined();
  });

  it('revokes by id, once', async () => {
    const owner = newOwner();
    const kept = await createApiKey(database().db, owner);
    const revoked = await createApiKey(database().db, owner);
    expect(await revokeApiKeys(database().db, { id: revoked.id })).toBe(1);
    expect(await ownerOf(revoked.key)).toBeUndefined();
    expect(await ownerOf(kept.key)).toBe(owner);
    expect(await revokeApiKeys(database().db, { id: revoked.id })).toBe(0);
  });

  it('revokes by the whole key, once', async () => {
    const owner = newOwner();
    const kept = await createApiKey(database().db, owner);
    const revoked = await createApiKey(database().db, owner);
    expect(await revokeApiKeys(database().db, { key: revoked.key })).toBe(1);
    expect(await ownerOf(revoked.key)).toBeUndefined();
    expect(await ownerOf(kept.key)).toBe(owner);
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
      expect(await ownerOf(key.key)).toBeUndefined();
    }
    expect(await ownerOf(others.key)).toBe(other);
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

  it('counts the active keys and every key, and changes its version with each change', async () => {
    const before = await apiKeyTableState(database().db);
    const owner = newOwner();
    const a = await createApiKey(database().db, owner);
    await createApiKey(database().db, owner);
    const made = await apiKeyTableState(database().db);
    expect(made).toMatchObject({ active: before.active + 2, total: before.total + 2 });
    expect(made.version).not.toBe(before.version);
    await revokeApiKeys(database().db, { id: a.id });
    const revoked = await apiKeyTableState(database().db);
    expect(revoked).toMatchObject({ active: before.active + 1, total: before.total + 2 });
    expect(revoked.version).not.toBe(made.version);
    // Restored by hand: the active count tells it, whatever the times say.
    await database().db.update(apiKeys).set({ revokedAt: null }).where(eq(apiKeys.id, a.id));
    expect((await apiKeyTableState(database().db)).version).not.toBe(revoked.version);
    await revokeApiKeys(database().db, { owner });
    expect(await apiKeyTableState(database().db)).toMatchObject({
      active: before.active,
      total: before.total + 2,
    });
    // Nothing changed: the same version.
    const again = await apiKeyTableState(database().db);
    expect((await apiKeyTableState(database().db)).version).toBe(again.version);
  });

  it('finds the owners of several active keys in one look-up', async () => {
    const owner = newOwner();
    const a = await createApiKey(database().db, owner);
    const b = await createApiKey(database().db, newOwner());
    const revoked = await createApiKey(database().db, owner);
    await revokeApiKeys(database().db, { id: revoked.id });
    const hashes = [a, b, revoked].map((key) => hashApiKey(key.key));
    const found = await activeApiKeyOwners(database().db, [...hashes, hashApiKey('unknown')]);
    expect(found).toEqual(
      new Map([
        [hashes[0], a.owner],
        [hashes[1], b.owner],
      ]),
    );
    expect(await activeApiKeyOwners(database().db, [])).toEqual(new Map());
  });

  it('refuses an owner name outside [A-Za-z0-9_.-]{1,64}', async () => {
    const before = await apiKeyTableState(database().db);
    for (const owner of ['', 'has space', 'slash/owner', 'ünïcode', 'a'.repeat(65), 'new\nline']) {
      const attempt = createApiKey(database().db, owner);
      await expect(attempt, JSON.stringify(owner)).rejects.toThrow(InvalidApiKeyOwnerError);
      await expect(attempt, JSON.stringify(owner)).rejects.toThrow(
        /owner must be 1 to 64 characters/,
      );
    }
    expect((await apiKeyTableState(database().db)).version).toBe(before.version);
    expect((await createApiKey(database().db, 'a'.repeat(64))).owner).toBe('a'.repeat(64));
    expect((await createApiKey(database().db, 'A-z_0.9')).owner).toBe('A-z_0.9');
  });

  it('hashes with hex SHA-256', () => {
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
