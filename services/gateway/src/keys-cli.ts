/**
 * Manages the gateway's API keys in the database the gateway uses (DATABASE_URL, else DATA_DIR),
 * or through a running gateway (`--gateway URL`, with an admin key):
 * `npm run keys -- create --owner NAME`, `revoke --id ID | --key KEY | --owner NAME`,
 * `list [--owner NAME]`, `budget --owner NAME [--credits-per-day N] [--credits-per-month N]`.
 */
import { parseArgs } from 'node:util';
import {
  type CreditLimits,
  createApiKey,
  creditUsage,
  type DatabaseHandle,
  DatabaseOpenError,
  DirectoryLockedError,
  listApiKeys,
  openDatabase,
  revokeApiKeys,
  setCreditBudget,
} from '@charanim/db';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { budgetTable, parseLimit } from './keys-budget.ts';
import { GatewayKeyError, gatewayKeyStore, type KeyStore } from './keys-through-gateway.ts';

const USAGE = `usage: npm run keys -- <command> [options]

commands:
  create --owner NAME     make a key for NAME; prints the key, shown this once only
  revoke --id ID          revoke the key with this id
  revoke --key KEY        revoke this key
  revoke --owner NAME     revoke every active key of NAME
  list [--owner NAME]     list the keys (id, owner, prefix, created, revoked)
  budget --owner NAME     show NAME's spending of kie.ai credits today and this month (UTC)
    [--credits-per-day N] [--credits-per-month N]
                          and set its budget: N credits, or off for no limit; a limit not
                          given stays as it is

options:
  --gateway URL           go through the gateway at URL (e.g. http://127.0.0.1:4000) instead of
                          opening the database: for a PGlite directory a running gateway holds
  --admin-key KEY         with --gateway: a key of an owner in the gateway's ADMIN_OWNERS
                          (better: set GATEWAY_ADMIN_KEY, which stays out of the command line)

The database is the gateway's: DATABASE_URL, or the PGlite directory DATA_DIR.
`;

/** Ends the run with an exit code and a message on stderr. */
class Exit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const usageError = (problem: string) => new Exit(2, `keys: ${problem}\n\n${USAGE}`);

type Options = {
  owner?: string | undefined;
  id?: string | undefined;
  key?: string | undefined;
  'credits-per-day'?: string | undefined;
  'credits-per-month'?: string | undefined;
};
/** Through a running gateway rather than the database. */
type Via = { gateway: string; adminKey: string | undefined } | undefined;
type Command = (
  | { name: 'create'; owner: string }
  | { name: 'revoke'; which: { id: string } | { key: string } | { owner: string } }
  | { name: 'list'; owner: string | undefined }
  | { name: 'budget'; owner: string; limits: Partial<CreditLimits> }
) & { via: Via };

function parseCommand(args: string[]): Command | { name: 'help' } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    // parseArgs names the option, never its value, so the message holds no secret.
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  const [name, ...extra] = positionals;
  // Never echo positionals: a key pasted without --key would land in the message.
  if (extra.length > 0) throw usageError('unexpected arguments after the command');
  const via = parseVia(values.gateway, values['admin-key']);
  const given = (['owner', 'id', 'key', 'credits-per-day', 'credits-per-month'] as const).filter(
    (option) => values[option] !== undefined,
  );
  const only = (allowed: (keyof Options)[]) => {
    const stray = given.filter((option) => !allowed.includes(option));
    if (stray.length > 0) {
      throw usageError(`${name} does not take ${stray.map((option) => `--${option}`).join(', ')}`);
    }
  };
  switch (name) {
    case 'create':
      only(['owner']);
      if (values.owner === undefined) throw usageError('create needs --owner NAME');
      return { name, owner: values.owner, via };
    case 'revoke': {
      if (given.length !== 1) throw usageError('revoke needs exactly one of --id, --key, --owner');
      if (values.id !== undefined) return { name, which: { id: values.id }, via };
      if (values.key !== undefined) return { name, which: { key: values.key }, via };
      return { name, which: { owner: values.owner as string }, via };
    }
    case 'list':
      only(['owner']);
      return { name, owner: values.owner, via };
    case 'budget': {
      only(['owner', 'credits-per-day', 'credits-per-month']);
      if (values.owner === undefined) throw usageError('budget needs --owner NAME');
      const limits: Partial<CreditLimits> = {};
      for (const [option, limit] of [
        ['credits-per-day', 'creditsPerDay'],
        ['credits-per-month', 'creditsPerMonth'],
      ] as const) {
        const value = values[option];
        if (value === undefined) continue;
        const parsed = parseLimit(value);
        if (parsed === undefined) {
          throw usageError(`--${option} needs a whole number of credits (0 or more), or off`);
        }
        limits[limit] = parsed;
      }
      return { name, owner: values.owner, limits, via };
    }
    case undefined:
      throw usageError('no command given');
    default:
      throw usageError('unknown command');
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      owner: { type: 'string' },
      id: { type: 'string' },
      key: { type: 'string' },
      gateway: { type: 'string' },
      'admin-key': { type: 'string' },
      'credits-per-day': { type: 'string' },
      'credits-per-month': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths?.[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The gateway to go through, if any; a URL that holds credentials is never echoed. */
function parseVia(gateway: string | undefined, adminKey: string | undefined): Via {
  if (gateway === undefined) {
    if (adminKey !== undefined) throw usageError('--admin-key needs --gateway URL');
    return undefined;
  }
  if (!/^https?:\/\//i.test(gateway) || !URL.canParse(gateway)) {
    throw usageError('--gateway needs an absolute http(s) URL, such as http://127.0.0.1:4000');
  }
  return { gateway, adminKey };
}

function databaseKeyStore(db: DatabaseHandle['db']): KeyStore {
  return {
    create: (owner) => createApiKey(db, owner),
    revoke: (which) => revokeApiKeys(db, which),
    list: (owner) => listApiKeys(db, owner),
    usage: (owner) => creditUsage(db, owner),
    async setBudget(owner, limits) {
      await setCreditBudget(db, owner, limits);
      return creditUsage(db, owner);
    },
  };
}

async function run(command: Command, store: KeyStore) {
  switch (command.name) {
    case 'create': {
      const created = await store.create(command.owner);
      process.stdout.write(`${created.key}\n`);
      process.stderr.write(
        `Made key ${created.prefix}… (id ${created.id}) for ${created.owner}.\n` +
          'It is shown this once only: it is not stored and cannot be shown again.\n' +
          'Clients send it as the header  Authorization: Bearer <key>\n',
      );
      return;
    }
    case 'revoke': {
      const revoked = await store.revoke(command.which);
      if (revoked === 0) throw new Exit(1, 'keys: no active key matched; nothing was revoked\n');
      process.stdout.write(`revoked ${revoked} key${revoked === 1 ? '' : 's'}\n`);
      return;
    }
    case 'list': {
      const keys = await store.list(command.owner);
      const rows = keys.map((key) => [
        key.id,
        key.owner,
        key.prefix,
        key.createdAt.toISOString(),
        key.revokedAt?.toISOString() ?? '-',
      ]);
      process.stdout.write(
        `${table([['ID', 'OWNER', 'PREFIX', 'CREATED', 'REVOKED'], ...rows])}\n`,
      );
      if (keys.length === 0) process.stderr.write('no API keys\n');
      return;
    }
    case 'budget': {
      let usage = await store.usage(command.owner);
      if (Object.keys(command.limits).length > 0) {
        const { creditsPerDay, creditsPerMonth } = usage;
        const limits = { creditsPerDay, creditsPerMonth, ...command.limits };
        usage = await store.setBudget(command.owner, limits);
      }
      process.stdout.write(`${table(budgetTable(command.owner, usage))}\n`);
      return;
    }
  }
}

async function main(args: string[]): Promise<number> {
  const command = parseCommand(args);
  if (command.name === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new Exit(78, `${error.message}\n`); // EX_CONFIG
    throw error;
  }
  if (command.via) {
    const adminKey = command.via.adminKey ?? config.GATEWAY_ADMIN_KEY;
    if (adminKey === undefined) {
      throw usageError('--gateway needs an admin key: set GATEWAY_ADMIN_KEY, or give --admin-key');
    }
    await run(command, gatewayKeyStore(command.via.gateway, adminKey));
    return 0;
  }
  const handle = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    maxConnections: 1,
    onNotice: () => {},
  });
  try {
    await handle.migrate();
    await run(command, databaseKeyStore(handle.db));
  } finally {
    await handle.close();
  }
  return 0;
}

/**
 * Said when a gateway holds the PGlite directory, on the same line (the message is one line): what
 * to do instead of stopping the gateway.
 */
const THROUGH_THE_GATEWAY =
  'To manage keys while that gateway runs, go through it: add --gateway http://HOST:PORT, with the key of an owner in its ADMIN_OWNERS in GATEWAY_ADMIN_KEY (or --admin-key KEY).';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof Exit) {
      process.stderr.write(error.message);
      process.exit(error.code);
    }
    if (error instanceof DatabaseOpenError) {
      const hint = error.cause instanceof DirectoryLockedError ? ` ${THROUGH_THE_GATEWAY}` : '';
      process.stderr.write(`keys: ${error.message}${hint}\n`);
      process.exit(78); // EX_CONFIG, as the gateway
    }
    if (error instanceof GatewayKeyError) {
      process.stderr.write(`keys: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`keys: ${describe(error)}\n`);
    process.exit(1);
  },
);

/**
 * The message only, never a stack: drizzle's failed-query error lists the query's parameters (a
 * key's hash among them), so it is replaced by what the driver said.
 */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message.startsWith('Failed query:')) {
    const cause = error.cause instanceof Error ? error.cause.message : 'unknown cause';
    return `a database query failed: ${cause}`;
  }
  return error.message;
}
