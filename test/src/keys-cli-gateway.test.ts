import { freePort, type Spawned, startGatewayProcess } from '@charanim/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeys } from './support/cli.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { statusOf } from './support/graphql.ts';

/**
 * Issue 18, item 2: `npm run keys` while a gateway runs. On PGlite the gateway holds the data
 * directory, which the CLI cannot open (exit 78, now saying what to do instead), so it goes
 * through the gateway's admin operations (`--gateway URL`, an admin key); on PostgreSQL it opens
 * the database as before, and may go through the gateway all the same.
 */

const ADMIN = 'admin-key-0123456789abcdef';
const USER = 'user-key-0123456789abcdef';

let database: TestDatabase;
let gateway: Spawned;
/** Where the CLI finds the gateway's database, as the gateway's own settings name it. */
let databaseEnv: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  databaseEnv =
    process.env.TEST_DATABASE === 'pglite'
      ? { DATA_DIR: database.url }
      : { DATABASE_URL: database.url };
  gateway = await startGatewayProcess({
    ...databaseEnv,
    KIE_API_KEY: '', // the built-in emulator
    GATEWAY_API_KEYS: `ops:${ADMIN},bob:${USER}`,
    ADMIN_OWNERS: 'ops',
  });
  // A cold gateway process on an empty PGlite directory: over 30 s on a loaded machine.
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await database?.drop();
});

const throughGateway = (args: string[], adminKey = ADMIN) =>
  runKeys([...args, '--gateway', gateway.url], { GATEWAY_ADMIN_KEY: adminKey });

const status = (key: string) => statusOf(`${gateway.url}/graphql`, key);

describe('npm run keys while a gateway runs', () => {
  it('creates, lists and revokes keys through the gateway with an admin key', async () => {
    const created = await throughGateway(['create', '--owner', 'carol']);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^cag_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/^Made key cag_\S{8}… \(id [0-9a-f-]{36}\) for carol\./);
    expect(await status(key)).toBe(200);

    const listed = await throughGateway(['list', '--owner', 'carol']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/ID\s+OWNER\s+PREFIX\s+CREATED\s+REVOKED/);
    expect(listed.stdout).toMatch(new RegExp(`carol\\s+${key.slice(0, 12)}\\s+\\S+Z\\s+-`));
    expect(listed.stdout).not.toContain(key);

    // The admin key itself comes from --admin-key this time.
    const revoked = await runKeys([
      'revoke',
      '--key',
      key,
      '--gateway',
      `${gateway.url}/graphql`,
      '--admin-key',
      ADMIN,
    ]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe('revoked 1 key\n');
    expect(await status(key)).toBe(401);

    const again = await throughGateway(['revoke', '--key', key]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no active key matched/);
  }, 120_000);

  it('opens the database itself as before, or says what to do while PGlite is held', async () => {
    const direct = await runKeys(['create', '--owner', 'dave'], databaseEnv);
    if (process.env.TEST_DATABASE === 'pglite') {
      expect(direct.code).toBe(78);
      expect(direct.stderr).toContain('is in use');
      expect(direct.stderr).toContain('--gateway http://HOST:PORT');
      expect(direct.stderr).toContain('ADMIN_OWNERS');
      expect(direct.stdout).toBe('');
    } else {
      expect(direct.code, direct.stderr).toBe(0);
      expect(await status(direct.stdout.trim())).toBe(200);
    }
  }, 120_000);

  it('exits 77 for a key that is not an admin, or not a key, and 69 without a gateway', async () => {
    const [user, unknown, unreachable] = await Promise.all([
      throughGateway(['list'], USER),
      throughGateway(['list'], 'nobody-knows-this-key'),
      runKeys(['list', '--gateway', `http://127.0.0.1:${await freePort()}`], {
        GATEWAY_ADMIN_KEY: ADMIN,
      }),
    ]);
    expect(user.code).toBe(77);
    expect(user.stderr).toContain(
      'the gateway refused: only a key of an admin owner (ADMIN_OWNERS) may manage API keys',
    );
    expect(unknown.code).toBe(77);
    expect(unknown.stderr).toContain('refused the admin key (401)');
    expect(unreachable.code).toBe(69);
    expect(unreachable.stderr).toContain('cannot reach the gateway');
    for (const run of [user, unknown, unreachable]) {
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toContain(ADMIN);
      expect(run.stderr).not.toContain(USER);
    }
  }, 120_000);
});
