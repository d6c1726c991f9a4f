import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, type ScriptEnd } from '@charanim/test-support';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'gateway-keys-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The CLI as `npm run keys --` runs it, with only PATH and the given environment. */
function keys(
  args: string[],
  env: Record<string, string> = { DATA_DIR: dataDir },
): Promise<ScriptEnd> {
  return runScript('services/gateway/src/keys-cli.ts', { args, env });
}

// Concurrent: the usage and configuration checks need no database and overlap the slow first one.
describe.concurrent('npm run keys', () => {
  it('creates a key shown once, lists it without the key, and revokes it once', async () => {
    const created = await keys(['create', '--owner', 'alice']);
    expect(created.code, created.stderr).toBe(0);
    const lines = created.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const key = lines[0] ?? '';
    expect(key).toMatch(/^cag_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/only/);
    expect(created.stderr).toContain('Authorization: Bearer <key>');
    expect(created.stderr).not.toContain(key);

    const listed = await keys(['list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/ID\s+OWNER\s+PREFIX\s+CREATED\s+REVOKED/);
    expect(listed.stdout).toContain('alice');
    expect(listed.stdout).toContain(key.slice(0, 12));
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout + listed.stderr).not.toContain(key.slice(12));

    const revoked = await keys(['revoke', '--key', key]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/\b1\b/);

    const again = await keys(['revoke', '--key', key]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no active key/);
    expect(again.stdout + again.stderr).not.toContain(key);
    // Four processes one after another, each opening PGlite: 27 s once on a loaded CI machine.
  }, 120_000);

  it('prints the usage and exits 2 on no command, an unknown one or bad options', async () => {
    const runs = await Promise.all([
      keys([]),
      keys(['frobnicate']),
      keys(['create']),
      keys(['revoke', '--id', 'x', '--owner', 'y']),
      keys(['list', '--bogus']),
      keys(['list', 'cag_pasted-without-an-option']),
      keys(['list', '--admin-key', 'cag_admin-without-a-gateway']),
      keys(['list', '--gateway', 'gateway.example.com']),
      keys(['list', '--gateway', 'http://127.0.0.1:4000']),
    ]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('usage: npm run keys');
      expect(run.stdout).toBe('');
    }
    expect(runs[5]?.stderr).not.toContain('cag_pasted');
    expect(runs[6]?.stderr).toContain('--admin-key needs --gateway URL');
    expect(runs[6]?.stderr).not.toContain('cag_admin');
    expect(runs[7]?.stderr).toContain('--gateway needs an absolute http(s) URL');
    expect(runs[8]?.stderr).toContain('--gateway needs an admin key: set GATEWAY_ADMIN_KEY');
  });

  it('exits 78 naming a bad setting', async () => {
    const run = await keys(['list'], { DATA_DIR: '  ' });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/DATA_DIR/);
  });
});
