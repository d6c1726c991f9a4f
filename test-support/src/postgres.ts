import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** The PostgreSQL server the tests make their databases on; `TEST_POSTGRES_URL` points elsewhere. */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One connection to a server's maintenance database, to create, drop and alter databases. */
export function adminConnection(serverUrl = TEST_POSTGRES_URL): postgres.Sql {
  return postgres(serverUrl, { max: 1, onnotice: () => {} });
}

export interface ServerDatabase {
  /** The database's URL, for `DATABASE_URL`. */
  url: string;
  /** Drops it, even while connections to it are open. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the server, named `<prefix>_<random hex>` so that one left behind
 * by a killed run says where it came from.
 */
export async function createDatabase(
  options: { serverUrl?: string; prefix?: string } = {},
): Promise<ServerDatabase> {
  const serverUrl = options.serverUrl ?? TEST_POSTGRES_URL;
  const name = `${options.prefix ?? 'gateway_test'}_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (admin) => admin.unsafe(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(serverUrl, (admin) =>
        admin.unsafe(`drop database if exists "${name}" with (force)`),
      ),
  };
}

async function withAdmin(serverUrl: string, use: (admin: postgres.Sql) => Promise<unknown>) {
  const admin = adminConnection(serverUrl);
  try {
    await use(admin);
  } finally {
    await admin.end();
  }
}
