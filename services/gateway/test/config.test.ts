import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../src/config.ts';

const { version: gatewayVersion } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

describe('loadConfig', () => {
  it('has defaults that run anywhere', () => {
    expect(loadConfig({})).toEqual({
      NODE_ENV: 'development',
      production: false,
      graphiql: true,
      introspection: true,
      metricsPublic: true,
      corsOrigins: ['*'],
      RATE_LIMIT_MUTATIONS_PER_MINUTE: 60,
      RATE_LIMIT_CREDITS_PER_MINUTE: 30,
      MAX_SUBSCRIPTIONS_PER_SOCKET: 100,
      MAX_SUBSCRIPTIONS_PER_OWNER: 1000,
      PORT: 4000,
      HOST: '127.0.0.1',
      DATA_DIR: '.data/pglite',
      KIE_API_BASE_URL: 'https://api.kie.ai',
      KIE_CREATE_LIMIT: 18,
      KIE_PROBE_MODELS: false,
      KIE_UPLOAD_TTL_HOURS: 24,
      KIE_UPLOAD_BASE_URL: 'https://kieai.redpandaai.co',
      KIE_USER_AGENT: `charanim-gateway/${gatewayVersion}`,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      KIE_TIMEOUT_MS: 15_000,
      CREATE_TIMEOUT_MS: 30_000,
      POLL_INTERVAL_MS: 2_000,
      POLL_MAX_INTERVAL_MS: 30_000,
      POLL_LEASE_MS: 30_000,
      DATABASE_POOL_SIZE: 10,
      INSTANCE_NAME: `${hostname()}:${process.pid}`,
      ALLOW_ANONYMOUS: false,
      ALLOW_FOREIGN_ORIGIN_TASKS: false,
      ADMIN_OWNERS: new Set(),
      API_KEY_CHECK_MS: 2_000,
      API_KEY_RECHECK_MS: 60_000,
      WEBHOOK_ALLOW_PRIVATE: false,
      WEBHOOK_TICK_MS: 500,
      WEBHOOK_TIMEOUT_MS: 5_000,
      WEBHOOK_LEASE_MS: 30_000,
      WEBHOOK_RETRY_BASE_MS: 5_000,
      WEBHOOK_RETRY_MAX_MS: 3_600_000,
    });
  });

  it('refuses a webhook lease no longer than an attempt may take', () => {
    expect(() => loadConfig({ WEBHOOK_LEASE_MS: '5000', WEBHOOK_TIMEOUT_MS: '5000' })).toThrow(
      /WEBHOOK_LEASE_MS: .* must be more than WEBHOOK_TIMEOUT_MS/,
    );
  });

  it('takes a User-Agent for kie.ai that is a header value, and no other', () => {
    expect(loadConfig({ KIE_USER_AGENT: ' acme-gateway/2.1 (ops@acme.example) ' })).toMatchObject({
      KIE_USER_AGENT: 'acme-gateway/2.1 (ops@acme.example)',
    });
    for (const bad of ['', 'line\nbreak', 'café/1']) {
      expect(() => loadConfig({ KIE_USER_AGENT: bad })).toThrow(
        'KIE_USER_AGENT: KIE_USER_AGENT must be printable ASCII (letters, digits, signs, inner spaces), not empty',
      );
    }
  });

  it('treats empty values as unset and trims trailing slashes of URLs', () => {
    const config = loadConfig({
      KIE_API_KEY: '',
      PUBLIC_URL: 'https://gw.example.com/',
      DATABASE_URL: ' ',
    });
    expect(config.KIE_API_KEY).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PUBLIC_URL).toBe('https://gw.example.com');
  });

  it('turns GraphiQL, introspection and open CORS off in production, unless asked', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({
      production: true,
      graphiql: false,
      introspection: false,
      corsOrigins: [],
    });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        GRAPHIQL: 'true',
        CORS_ORIGINS: 'https://a.example, https://b.example',
      }),
    ).toMatchObject({ graphiql: true, corsOrigins: ['https://a.example', 'https://b.example'] });
  });

  it('keeps /metrics public only outside production and without a token, unless asked', () => {
    const token = 'metrics-token-0123456789';
    expect(loadConfig({ NODE_ENV: 'production' }).metricsPublic).toBe(false);
    expect(loadConfig({ METRICS_TOKEN: token }).metricsPublic).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', METRICS_PUBLIC: 'true' }).metricsPublic).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', METRICS_TOKEN: token })).toMatchObject({
      metricsPublic: false,
      METRICS_TOKEN: token,
    });
    const short = () => loadConfig({ METRICS_TOKEN: 'short-secret' });
    expect(short).toThrow('METRICS_TOKEN: METRICS_TOKEN must be at least 16 characters');
    expect(short).not.toThrow(/short-secret/);
  });

  it('refuses subscription limits below 1', () => {
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_SOCKET: '0' })).toThrow(
      /MAX_SUBSCRIPTIONS_PER_SOCKET/,
    );
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_OWNER: '0' })).toThrow(
      /MAX_SUBSCRIPTIONS_PER_OWNER/,
    );
  });

  it('reads API keys as owner:key pairs, and never repeats one in an error', () => {
    const keys = loadConfig({
      GATEWAY_API_KEYS: 'alice:0123456789abcdef, bob:fedcba9876543210',
    }).GATEWAY_API_KEYS;
    expect([...(keys ?? [])]).toEqual([
      ['0123456789abcdef', 'alice'],
      ['fedcba9876543210', 'bob'],
    ]);
    const attempt = () =>
      loadConfig({ GATEWAY_API_KEYS: 'alice:0123456789abcdef,short-secret-xyz' });
    expect(attempt).toThrow(/GATEWAY_API_KEYS: entry 2 must be owner:key/);
    expect(attempt).not.toThrow(/short-secret-xyz/);
  });

  it('reads admin owners as a comma-separated list of owner names', () => {
    expect(loadConfig({ ADMIN_OWNERS: ' ops, billing.team ,' }).ADMIN_OWNERS).toEqual(
      new Set(['ops', 'billing.team']),
    );
    expect(() => loadConfig({ ADMIN_OWNERS: 'ops,has space' })).toThrow(
      /ADMIN_OWNERS: entry 2 must be an owner name/,
    );
  });

  it('refuses ALLOW_ANONYMOUS in production, which always requires keys', () => {
    expect(loadConfig({ ALLOW_ANONYMOUS: 'true' }).ALLOW_ANONYMOUS).toBe(true);
    const attempt = () => loadConfig({ ALLOW_ANONYMOUS: 'true', NODE_ENV: 'production' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/ALLOW_ANONYMOUS: production always requires API keys/);
    expect(loadConfig({ ALLOW_ANONYMOUS: 'false', NODE_ENV: 'production' }).ALLOW_ANONYMOUS).toBe(
      false,
    );
  });

  it('names every bad value in one message', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', PUBLIC_URL: 'gw.example.com', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /PORT[\s\S]*PUBLIC_URL: PUBLIC_URL must be an absolute http\(s\) URL[\s\S]*LOG_LEVEL/,
    );
  });

  it('refuses a poll lease shorter than twice the kie.ai time limit, naming both and the rule', () => {
    const attempt = () => loadConfig({ POLL_LEASE_MS: '1000' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'POLL_LEASE_MS: POLL_LEASE_MS (1000) must be at least twice KIE_TIMEOUT_MS (15000)',
    );
    expect(() => loadConfig({ POLL_LEASE_MS: '3999', KIE_TIMEOUT_MS: '2000' })).toThrow(
      /POLL_LEASE_MS \(3999\) must be at least twice KIE_TIMEOUT_MS \(2000\)/,
    );
    expect(loadConfig({ POLL_LEASE_MS: '4000', KIE_TIMEOUT_MS: '2000' })).toMatchObject({
      POLL_LEASE_MS: 4000,
      KIE_TIMEOUT_MS: 2000,
    });
  });

  it('refuses another kie.ai without KIE_API_KEY, instead of using the built-in emulator', () => {
    const attempt = () =>
      loadConfig({
        KIE_API_BASE_URL: 'http://127.0.0.1:4010',
        KIE_UPLOAD_BASE_URL: 'http://127.0.0.1:4010',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /KIE_API_BASE_URL: set without KIE_API_KEY, which is needed to use another kie.ai, the standalone emulator \(npm run emulator\) included[\s\S]*KIE_UPLOAD_BASE_URL: set without KIE_API_KEY/,
    );
    expect(() => loadConfig({ KIE_UPLOAD_BASE_URL: 'http://127.0.0.1:4010' })).toThrow(
      /KIE_UPLOAD_BASE_URL: set without KIE_API_KEY/,
    );
    expect(
      loadConfig({ KIE_API_KEY: 'emulator-key', KIE_API_BASE_URL: 'http://127.0.0.1:4010' }),
    ).toMatchObject({ KIE_API_BASE_URL: 'http://127.0.0.1:4010' });
  });
});

describe("the README's configuration table", () => {
  it('names every setting the gateway reads, and no other', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## API keys'));
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});
