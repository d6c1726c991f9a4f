/**
 * Manages the gateway's API keys in the database the gateway uses (DATABASE_URL, else DATA_DIR):
 * `npm run keys -- create --owner NAME`, `revoke --id ID | --key KEY | --owner NAME`,
 * `list [--owner NAME]`.
 */
import { parseArgs } from 'node:util';
import {
  createApiKey,
  type DatabaseHandle,
  DatabaseOpenError,
  listApiKeys,
  openDatabase,
  revokeApiKeys,
} from '@charanim/db';
import { ConfigError, loadConfig } from './config.ts';

const USAGE = `usage: npm run keys -- <command> [options]

commands:
  create --owner NAME     make a key for NAME; prints the key, shown this once only
  revoke --id ID          revoke the key with this id
  revoke --key KEY        revoke this key
  revoke --owner NAME     revoke every active key of NAME
  list [--owner NAME]     list the keys (id, owner, prefix, created, revoked)

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

type Options = { owner?: string | undefined; id?: string | undefined; key?: string | undefined };
type Command =
  | { name: 'create'; owner: string }
  | { name: 'revoke'; which: { id: string } | { key: string } | { owner: string } }
  | { name: 'list'; owner: string | undefined }
  | { name: 'help' };

function parseCommand(args: string[]): Command {
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
  const given = (['owner', 'id', 'key'] as const).filter((option) => values[option] !== undefined);
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
      return { name, owner: values.owner };
    case 'revoke': {
      if (given.length !== 1) throw usageError('revoke needs exactly one of --id, --key, --owner');
      if (values.id !== undefined) return { name, which: { id: values.id } };
      if (values.key !== undefined) return { name, which: { key: values.key } };
      return { name, which: { owner: values.owner as string } };
    }
    case 'list':
      only(['owner']);
      return { name, owner: values.owner };
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

async function run(command: Exclude<Command, { name: 'help' }>, db: DatabaseHandle['db']) {
  switch (command.name) {
    case 'create': {
      const created = await createApiKey(db, command.owner);
      process.stdout.write(`${created.key}\n`);
      process.stderr.write(
        `Made key ${created.prefix}… (id ${created.id}) for ${created.owner}.\n` +
          'It is shown this once only: it is not stored and cannot be shown again.\n' +
          'Clients send it as the header  Authorization: Bearer <key>\n',
      );
      return;
    }
    case 'revoke': {
      const revoked = await revokeApiKeys(db, command.which);
      if (revoked === 0) throw new Exit(1, 'keys: no active key matched; nothing was revoked\n');
      process.stdout.write(`revoked ${revoked} key${revoked === 1 ? '' : 's'}\n`);
      return;
    }
    case 'list': {
      const keys = await listApiKeys(db, command.owner);
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
  }
}

async function main(args: string[]): Promise<number> {
  const command = parseCommand(args);
  if (command.name === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new Exit(78, `${error.message}\n`); // EX_CONFIG
    throw error;
  }
  const handle = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    maxConnections: 1,
    onNotice: () => {},
  });
  try {
    await handle.migrate();
    await run(command, handle.db);
  } finally {
    await handle.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof Exit) {
      process.stderr.write(error.message);
      process.exit(error.code);
    }
    if (error instanceof DatabaseOpenError) {
      process.stderr.write(`keys: ${error.message}\n`);
      process.exit(78); // EX_CONFIG, as the gateway
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
