import { hostname } from 'node:os';
import { isHttpUrl } from '@charanim/provider';
import { z } from 'zod';
import { DEFAULT_USER_AGENT } from './user-agent.ts';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const httpUrl = (name: string) =>
  z
    .string()
    .trim()
    .refine(isHttpUrl, { error: `${name} must be an absolute http(s) URL` })
    .transform((value) => value.replace(/\/+$/, ''));

/** kie.ai's own Market API, the default of KIE_API_BASE_URL. */
export const KIE_API_URL = 'https://api.kie.ai';

const milliseconds = (min: number) => z.coerce.number().int().min(min);

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/** The owner names API keys may have, as `createApiKey` accepts them. */
const OWNER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The entries of a comma-separated list, trimmed, the empty ones left out. */
const commaSeparated = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

const apiKeyList = z
  .string()
  .trim()
  .transform((text, context) => {
    const keys = new Map<string, string>();
    for (const entry of commaSeparated(text)) {
      const colon = entry.indexOf(':');
      const owner = entry.slice(0, colon);
      const key = entry.slice(colon + 1);
      if (colon < 1 || !OWNER_NAME.test(owner) || key.length < 16) {
        // The entry itself may hold a secret: the message names its position only.
        context.addIssue({
          code: 'custom',
          message: `entry ${keys.size + 1} must be owner:key, the owner made of letters, digits, _ . -, the key at least 16 characters`,
        });
        return z.NEVER;
      }
      keys.set(key, owner);
    }
    return keys;
  });

const ownerList = z
  .string()
  .trim()
  .transform((text, context) => {
    const owners = commaSeparated(text);
    const bad = owners.findIndex((owner) => !OWNER_NAME.test(owner));
    if (bad >= 0) {
      context.addIssue({
        code: 'custom',
        message: `entry ${bad + 1} must be an owner name: letters, digits, _ . -, at most 64`,
      });
      return z.NEVER;
    }
    return new Set(owners);
  });

/** Every setting the gateway reads from its environment, with its default. */
export const configSchema = z.object({
  /** `production` turns GraphiQL, introspection and open CORS off by default, and requires keys. */
  NODE_ENV: z.string().trim().default('development'),
  /** Client API keys as `owner:key,owner2:key2`; more can live in the database (`npm run keys`). */
  GATEWAY_API_KEYS: apiKeyList.optional(),
  /**
   * With no active key, requests run as the owner `local` even after keys existed (all revoked).
   * Off by default: anonymous mode then lasts only until the first key is made. Refused in
   * production, which always requires keys.
   */
  ALLOW_ANONYMOUS: flag.default(false),
  /** Owners whose keys may manage keys through GraphQL (`createApiKey`, `apiKeys`, `revokeApiKeys`). */
  ADMIN_OWNERS: ownerList.default(() => new Set<string>()),
  /**
   * How often each instance reads the key table's state (a count and two times) to see keys made
   * or revoked elsewhere: revoked keys' connections end, and anonymous mode ends, this soon.
   */
  API_KEY_CHECK_MS: milliseconds(100).default(2_000),
  /**
   * How often every open graphql-ws connection and SSE subscription has its key checked again even
   * when the key table looks unchanged (a key rewritten by hand).
   */
  API_KEY_RECHECK_MS: milliseconds(1_000).default(60_000),
  /**
   * Read by `npm run keys -- … --gateway URL` only: the key of an owner in the gateway's
   * ADMIN_OWNERS that it sends, so that the key stays out of the command line.
   */
  GATEWAY_ADMIN_KEY: optionalText,
  /**
   * createCharacter and createCharacterFromTask calls per owner and minute, counted in the
   * database: an owner's keys share one budget, across every instance. 0 turns the limit off.
   */
  RATE_LIMIT_MUTATIONS_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  /**
   * `credits` fields per owner and minute, counted in the database across every instance (each
   * alias counts). 0 turns the limit off.
   */
  RATE_LIMIT_CREDITS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  /** Subscriptions one graphql-ws connection may hold open at once. */
  MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).default(100),
  /** Subscriptions one owner may hold open at once in this instance, graphql-ws and SSE together. */
  MAX_SUBSCRIPTIONS_PER_OWNER: z.coerce.number().int().min(1).default(1000),
  /** Origins allowed to call from a browser: `*`, or a comma-separated list. */
  CORS_ORIGINS: z.string().trim().optional(),
  /** With it, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`, unless public. */
  METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, { error: 'METRICS_TOKEN must be at least 16 characters' }).optional(),
  ),
  /** `/metrics` without a token; default on outside production when METRICS_TOKEN is unset. */
  METRICS_PUBLIC: flag.optional(),
  /** GraphiQL at /graphql for browsers; default on, off in production. */
  GRAPHIQL: flag.optional(),
  /** Schema introspection; default on, off in production. */
  INTROSPECTION: flag.optional(),
  /** The port GraphQL, GraphiQL, graphql-ws, `/health` and the webhook route listen on. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** `postgres://…` for a PostgreSQL server; unset for the embedded PGlite in `DATA_DIR`. */
  DATABASE_URL: optionalText,
  /**
   * Connections each instance opens to the PostgreSQL server for its queries; it holds one more
   * for LISTEN. Instances × (this + 1) must stay under the server's `max_connections`.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(10),
  /** Where the embedded PGlite keeps its files when `DATABASE_URL` is unset. */
  DATA_DIR: z.string().trim().min(1).default('.data/pglite'),
  /**
   * At start, asks kie.ai whether each model runs, with a createTask of an empty input, for the
   * models whose plugin says such a request costs nothing; the answers set `Model.availability`.
   */
  KIE_PROBE_MODELS: flag.default(false),
  /** kie.ai's API key; unset starts the built-in kie.ai emulator instead. */
  KIE_API_KEY: optionalText,
  /** kie.ai's Market API; another one (such as the standalone emulator) needs KIE_API_KEY too. */
  KIE_API_BASE_URL: httpUrl('KIE_API_BASE_URL').default(KIE_API_URL),
  KIE_UPLOAD_BASE_URL: httpUrl('KIE_UPLOAD_BASE_URL').default('https://kieai.redpandaai.co'),
  /**
   * The User-Agent of every request to both kie.ai hosts. The CDN in front of them refuses a
   * default library one (fetch's `node`) with a 403 that looks like a bad key: see BLOCKED.
   */
  KIE_USER_AGENT: z
    .string()
    .trim()
    .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, {
      error:
        'KIE_USER_AGENT must be printable ASCII (letters, digits, signs, inner spaces), not empty',
    })
    .default(DEFAULT_USER_AGENT),
  /**
   * How long kie.ai keeps a file the gateway uploaded (a character's source video or image): its
   * `expiresAt` is this long after the upload. Documented as 3 days; integrators saw 24 hours.
   */
  KIE_UPLOAD_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(24),
  /** The webhook HMAC key from the kie.ai console; callbacks must then carry a valid signature. */
  KIE_WEBHOOK_HMAC_KEY: optionalText,
  /** The gateway's public base URL; the callback URL is built from it, and none is sent without it. */
  PUBLIC_URL: httpUrl('PUBLIC_URL').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` lines (pino's own), or `pretty` (pino-pretty) for reading in a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** Each kie.ai request's time limit. */
  KIE_TIMEOUT_MS: milliseconds(100).default(15_000),
  /** The poller's first delay after kie.ai accepts a task, and after each change it sees. */
  POLL_INTERVAL_MS: milliseconds(10).default(2_000),
  /** The cap of the poller's growing delay while nothing changes. */
  POLL_MAX_INTERVAL_MS: milliseconds(10).default(30_000),
  /**
   * How long an instance holds a task it polls. No other instance polls the task meanwhile, and
   * the tasks of an instance that died are taken over once their leases end. kie.ai's answer is
   * awaited for half of it at most (each attempt also within KIE_TIMEOUT_MS), so it must be at
   * least twice KIE_TIMEOUT_MS: see crossChecks.
   */
  POLL_LEASE_MS: milliseconds(1_000).default(30_000),
  /** Names this instance in the tasks it polls (`tasks.leased_by`); default `<host name>:<pid>`. */
  INSTANCE_NAME: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .default(() => `${hostname()}:${process.pid}`),
  /**
   * createCharacterFromTask takes an `originTaskId` no task of this gateway has (a kie.ai task
   * made outside it). Off: only the caller's own tasks; another owner's is refused either way.
   */
  ALLOW_FOREIGN_ORIGIN_TASKS: flag.default(false),
  /**
   * How long a create may take before it answers with a typed error instead, waiting for a place
   * in kie.ai's create window (KIE_CREATE_LIMIT) included: past it, RateLimitedError.
   */
  CREATE_TIMEOUT_MS: milliseconds(100).default(30_000),
  /**
   * createTask calls sent to kie.ai in any 10 seconds, across every instance on the database and
   * shared fairly between owners. kie.ai drops (does not queue) the 21st of the account: 18 keeps
   * a margin. After a 429 none is sent for a whole 10 s. 0 turns the limit off, for another
   * implementation of kie.ai's API (the emulator in a benchmark of the gateway's own cost).
   */
  KIE_CREATE_LIMIT: z.coerce.number().int().min(0).max(20).default(18),
  /**
   * How long after it was sent a task may stay unfinished before it ends FAIL: TIMEOUT once kie.ai
   * has it (when a poll has read kie.ai, or after twice this long if none could), SUBMISSION_LOST
   * when kie.ai never confirmed it and no callback came. Unset: each model's own bound, from its
   * plugin (15 minutes for the Sora 2 models); set, it bounds every model's tasks alike.
   */
  TASK_TIMEOUT_MS: milliseconds(1_000).optional(),
  /**
   * Sends webhooks to loopback, private, link-local (169.254.169.254 among them) and CGNAT
   * addresses too: for local development and tests. Off, such endpoints are refused when made and
   * at every send.
   */
  WEBHOOK_ALLOW_PRIVATE: flag.default(false),
  /** How often each instance looks for webhook deliveries that are due. */
  WEBHOOK_TICK_MS: milliseconds(10).default(500),
  /** Each delivery attempt's time limit, from connecting to the end of the answer. */
  WEBHOOK_TIMEOUT_MS: milliseconds(100).default(5_000),
  /**
   * How long an instance holds a delivery it sends; another instance sends it once the lease ends
   * (its holder died). Must be more than WEBHOOK_TIMEOUT_MS: see crossChecks.
   */
  WEBHOOK_LEASE_MS: milliseconds(200).default(30_000),
  /** The first retry's delay after a failed delivery; each next one doubles, with jitter. */
  WEBHOOK_RETRY_BASE_MS: milliseconds(10).default(5_000),
  /** The longest delay between two attempts of a delivery. */
  WEBHOOK_RETRY_MAX_MS: milliseconds(10).default(3_600_000),
});

export type Config = z.output<typeof configSchema> & {
  production: boolean;
  graphiql: boolean;
  introspection: boolean;
  /** Whether `/metrics` answers without METRICS_TOKEN. */
  metricsPublic: boolean;
  /** Allowed browser origins; `*` for any, an empty list for none. */
  corsOrigins: string[];
};

/** Thrown with every bad setting named, so that a start fails with one clear message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The rules between settings, each problem as `NAME: message`. They are judged only once every
 * setting parses on its own, as their values are needed to judge them.
 */
function crossChecks(
  config: z.output<typeof configSchema>,
  env: Record<string, string | undefined>,
): string[] {
  const problems: string[] = [];
  const { POLL_LEASE_MS, KIE_TIMEOUT_MS } = config;
  if (POLL_LEASE_MS < 2 * KIE_TIMEOUT_MS) {
    // A poll gives up on kie.ai at half its lease: a shorter lease would cut off every attempt
    // that takes as long as KIE_TIMEOUT_MS allows, and give up before kie.ai's retries.
    problems.push(
      `POLL_LEASE_MS: POLL_LEASE_MS (${POLL_LEASE_MS}) must be at least twice KIE_TIMEOUT_MS (${KIE_TIMEOUT_MS}), as a poll waits for kie.ai for half its lease at most: raise POLL_LEASE_MS to ${2 * KIE_TIMEOUT_MS} or more, or lower KIE_TIMEOUT_MS`,
    );
  }
  if (config.WEBHOOK_LEASE_MS <= config.WEBHOOK_TIMEOUT_MS) {
    // A lease that ends while its attempt may still run would let another instance send it too.
    problems.push(
      `WEBHOOK_LEASE_MS: WEBHOOK_LEASE_MS (${config.WEBHOOK_LEASE_MS}) must be more than WEBHOOK_TIMEOUT_MS (${config.WEBHOOK_TIMEOUT_MS}), so that no other instance takes a delivery while it is being sent`,
    );
  }
  if (config.KIE_API_KEY === undefined) {
    // Without a key the built-in emulator is used, whatever the base URLs say: refused, so that
    // a gateway meant to reach another kie.ai never runs on an emulator of its own unnoticed.
    for (const name of ['KIE_API_BASE_URL', 'KIE_UPLOAD_BASE_URL'] as const) {
      if ((env[name] ?? '').trim() === '') continue;
      problems.push(
        `${name}: set without KIE_API_KEY, which is needed to use another kie.ai, the standalone emulator (npm run emulator) included: set KIE_API_KEY (the emulator's own, or any value if it was started without one), or unset ${name} for the built-in emulator`,
      );
    }
  }
  if (config.ALLOW_ANONYMOUS && config.NODE_ENV === 'production') {
    problems.push(
      'ALLOW_ANONYMOUS: production always requires API keys: unset ALLOW_ANONYMOUS, or run outside production',
    );
  }
  return problems;
}

function configError(problems: string[]): ConfigError {
  return new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) {
    const problems = crossChecks(result.data, env);
    if (problems.length > 0) throw configError(problems);
    const production = result.data.NODE_ENV === 'production';
    const origins = result.data.CORS_ORIGINS ?? (production ? '' : '*');
    return {
      ...result.data,
      production,
      graphiql: result.data.GRAPHIQL ?? !production,
      introspection: result.data.INTROSPECTION ?? !production,
      metricsPublic: result.data.METRICS_PUBLIC ?? (!production && !result.data.METRICS_TOKEN),
      corsOrigins: commaSeparated(origins),
    };
  }
  throw configError(
    result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
  );
}

/** For entry points: the configuration, or its problems on stderr and exit 78 (EX_CONFIG). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
