import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runKeys } from './support/cli.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

/** An operator sets a budget with `npm run keys -- budget`; the app reads it with `npm run cli -- usage`. */

const ACME = 'acme-key-0123456789abcdef';
const OPS = 'ops-key-0123456789abcdefgh';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `acme:${ACME},ops:${OPS}`, ADMIN_OWNERS: 'ops' },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('budgets from the command line', () => {
  it('are set through a running gateway and read back by the app', async () => {
    const set = await runKeys(
      ['budget', '--owner', 'acme', '--credits-per-day', '500', '--gateway', t.gateway.url],
      { GATEWAY_ADMIN_KEY: OPS },
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout.split('\n').map((line) => line.split(/\s{2,}/))).toEqual([
      ['OWNER', 'PERIOD', 'SPENT', 'BUDGET', 'LEFT'],
      ['acme', 'today', '0', '500', '500'],
      ['acme', 'this month', '0', '-', '-'],
      [''],
    ]);
    // A limit not given stays as it was.
    const monthly = await runKeys(
      ['budget', '--owner', 'acme', '--credits-per-month', '9000', '--gateway', t.gateway.url],
      { GATEWAY_ADMIN_KEY: OPS },
    );
    expect(monthly.stdout).toMatch(/acme\s+this month\s+0\s+9000\s+9000/);
    expect(monthly.stdout).toMatch(/acme\s+today\s+0\s+500\s+500/);

    const usage = await runCli(['usage', '--endpoint', t.graphqlUrl], { CHARANIM_API_KEY: ACME });
    expect(usage.code).toBe(0);
    expect(usage.stdout).toBe(
      'today      0 credits of 500 (500 left)\nthis month 0 credits of 9000 (9000 left)\nreserved   0 credits by tasks still running\n',
    );
  });

  it('refuses a budget that is not a number, and a key that is not an admin', async () => {
    const bad = await runKeys(['budget', '--owner', 'acme', '--credits-per-day', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--credits-per-day needs a whole number of credits (0 or more), or off',
    );
    const refused = await runKeys(
      ['budget', '--owner', 'acme', '--credits-per-day', '1', '--gateway', t.gateway.url],
      { GATEWAY_ADMIN_KEY: ACME },
    );
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain(
      'only a key of an admin owner (ADMIN_OWNERS) may read the usage of other owners',
    );
  });
});
