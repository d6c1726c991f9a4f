import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { DirectoryLockedError, lockDirectory } from './directory-lock.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The drizzle database, whichever driver is under it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A database or an open transaction: every query accepts either. */
export type Executor = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

export interface OpenDatabaseOptions {
  /**
   * `postgres://` or `postgresql://` opens a real server through postgres.js. Anything else is a
   * PGlite data directory (`memory://` keeps it in memory); unset means `dataDir`.
   */
  url?: string | undefined;
  /** The PGlite data directory used when no URL is given. */
  dataDir?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** Receives the server's notices and connection errors, so that they are logged, not printed. */
  onNotice?: (message: string) => void;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Where the data lives, safe to log: the URL without its password, or the PGlite directory. */
  location: string;
  /** Applies the committed SQL migrations that have not run yet. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * PostgreSQL only: LISTENs on `channel` over a connection of its own, beside the pool, which
   * postgres.js opens again when it is lost. `onListen` runs each time the LISTEN is in place,
   * after a reconnection too, when notifications sent meanwhile were missed. Resolves, once
   * listening, to the function that stops.
   */
  listen?(
    channel: string,
    onNotify: (payload: string) => void,
    onListen: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * The database cannot be opened as configured. The message is one line, holds no password, and
 * says what to do; entry points print it alone and exit as for a bad setting.
 */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');
/** The advisory lock key the instances of one database take turns migrating under. */
const MIGRATION_LOCK = 7_411_902_563;

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** Opens postgres.js for a `postgres://` URL and PGlite otherwise. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (isPostgresUrl(options.url)) return openPostgres(options.url, options);
  return openPglite(options.url ?? options.dataDir ?? 'memory://');
}

function openPostgres(url: string, options: OpenDatabaseOptions): DatabaseHandle {
  const connect = (max: number, purpose: string) =>
    postgres(url, {
      max,
      onnotice: (notice) => options.onNotice?.(String(notice.message)),
      connection: { application_name: `charanim-gateway${purpose}` },
    });
  const client = connect(options.maxConnections ?? 10, '');
  const db = drizzlePostgres({ client, schema });
  const location = new URL(url);
  location.password = '';
  return {
    db: db as unknown as Database,
    kind: 'postgres',
    location: location.toString(),
    migrate: async () => {
      // Instances starting together take turns under a session advisory lock: the first applies
      // the migrations, the others then find them applied. The lock and the migrations share one
      // connection of their own, outside the pool: taken from the pool, the lock's connection
      // would leave a pool of one none to migrate with, and the lock held for ever. Ending the
      // connection releases the lock, whether the migrations succeeded or not.
      const session = connect(1, ' migrate');
      try {
        await session`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres({ client: session }), { migrationsFolder });
      } catch (error) {
        throw explainOpenFailure(error, url);
      } finally {
        await session.end({ timeout: 5 });
      }
    },
    ping: async () => {
      await client`select 1`;
    },
    listen: async (channel, onNotify, onListen) => {
      const { unlisten } = await client.listen(channel, onNotify, onListen);
      return unlisten;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * A DatabaseOpenError for the failures of a first connection that only the operator can fix;
 * any other error is returned as it is.
 */
function explainOpenFailure(error: unknown, url: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const parsed = new URL(url);
  // The URL's parts are percent-encoded; the password is never read.
  const host = decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const port = parsed.port || '5432';
  const user = decodeURIComponent(parsed.username);
  const message = error instanceof Error ? error.message : String(error);
  if (code === '3D000') {
    // The server names the database it looked for, defaults included (the user's name).
    const name =
      /database "(.*)" does not exist/.exec(message)?.[1] ??
      decodeURIComponent(parsed.pathname.slice(1));
    const createdb = ['createdb', '-h', host, '-p', port, ...(user ? ['-U', user] : []), name]
      .map(shellWord)
      .join(' ');
    return new DatabaseOpenError(
      `database "${name}" does not exist on the PostgreSQL server ${host}:${port}; it must exist before the gateway starts: create it (${createdb}) or point DATABASE_URL at an existing database`,
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new DatabaseOpenError(
      `cannot connect to the PostgreSQL server ${host}:${port} (${code}): is it running, and is DATABASE_URL's host and port right?`,
      { cause: error },
    );
  }
  if (code === '28000' || code === '28P01') {
    return new DatabaseOpenError(
      `the PostgreSQL server ${host}:${port} refused the login${user ? ` of "${user}"` : ''}: ${message}; check DATABASE_URL's user and password`,
      { cause: error },
    );
  }
  return error;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

async function openPglite(location: string): Promise<DatabaseHandle> {
  const dataDir = location.replace(/^file:\/\//, '');
  const inMemory = dataDir.includes('://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // PGlite keeps no lock of its own, and two processes on one directory lose each other's writes.
  const lock = inMemory ? undefined : lockPgliteDirectory(dataDir);
  let client: PGlite;
  try {
    // pg_trgm serves the typo-tolerant part of character search, as on a PostgreSQL server.
    client = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite({ client, schema });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    location,
    migrate: () => migratePglite(db, { migrationsFolder }),
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

function lockPgliteDirectory(dataDir: string) {
  try {
    return lockDirectory(dataDir);
  } catch (error) {
    if (!(error instanceof DirectoryLockedError)) throw error;
    const who = error.heldHere
      ? 'this process has it open already'
      : `another process has it open (${error.holder ? `pid ${error.holder.pid} on ${error.holder.hostname}, ${error.holder.command}, since ${error.holder.since}` : 'being opened right now'}), most likely a running gateway`;
    throw new DatabaseOpenError(
      `the PGlite data directory ${dataDir} is in use: ${who}. PGlite can be opened by one process at a time: stop that process first, or share the data through a PostgreSQL server (DATABASE_URL=postgres://…)`,
      { cause: error },
    );
  }
}
