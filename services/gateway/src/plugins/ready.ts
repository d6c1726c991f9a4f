import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type DatabaseHandle, rowsOf } from '@charanim/db';
import type { PausedModel } from '@charanim/tasks';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import { jsonResponse } from './json-response.ts';

export const READY_PATH = '/ready';

interface Migration {
  tag: string;
  /** The journal's timestamp, which drizzle records as `created_at` once it has applied it. */
  when: number;
}

type Readiness =
  | { ready: true; migrations: number }
  | { ready: false; reason: string; pending?: string[] };

/**
 * `GET /ready`: 200 once the database answers and has every migration this build ships, 503 with
 * the reason otherwise, so that a load balancer sends no traffic to an instance whose code expects
 * tables its database lacks. `/health` stays the liveness probe. A ready answer lists the models
 * kie.ai has paused: the instance serves the others, so they do not make it unready.
 */
export function useReady(options: {
  database: DatabaseHandle;
  logger: Logger;
  pausedModels: () => Promise<PausedModel[]>;
}): Plugin {
  const shipped = shippedMigrations();
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== READY_PATH) return;
      const readiness = await check(options.database, shipped, options.logger);
      endResponse(
        readiness.ready
          ? jsonResponse(fetchAPI, 200, {
              status: 'ready',
              database: options.database.kind,
              migrations: readiness.migrations,
              pausedModels: await options.pausedModels(),
            })
          : jsonResponse(fetchAPI, 503, {
              status: 'not ready',
              reason: readiness.reason,
              ...(readiness.pending && { pending: readiness.pending }),
            }),
      );
    },
  };
}

async function check(
  database: DatabaseHandle,
  shipped: Migration[],
  logger: Logger,
): Promise<Readiness> {
  try {
    await database.ping();
  } catch (error) {
    logger.warn({ err: error }, 'not ready: the database does not answer');
    return { ready: false, reason: 'the database does not answer' };
  }
  let applied: Set<number>;
  try {
    applied = await appliedMigrations(database);
  } catch (error) {
    logger.warn({ err: error }, 'not ready: the applied migrations cannot be read');
    return { ready: false, reason: 'the applied migrations cannot be read' };
  }
  const pending = shipped.filter((migration) => !applied.has(migration.when)).map((m) => m.tag);
  if (pending.length > 0) {
    return { ready: false, reason: 'migrations not applied', pending };
  }
  return { ready: true, migrations: shipped.length };
}

/** The `created_at` of each migration drizzle's migrator has applied. */
async function appliedMigrations(database: DatabaseHandle): Promise<Set<number>> {
  const rows = rowsOf<{ created_at: string | number | bigint }>(
    await database.db.execute('select created_at from drizzle.__drizzle_migrations'),
  );
  return new Set(rows.map((row) => Number(row.created_at)));
}

/**
 * drizzle's journal of the migrations the db package ships; the package exports no list of them,
 * so it is read beside its entry point, where its migrator reads the SQL files.
 */
function shippedMigrations(): Migration[] {
  const entry = createRequire(import.meta.url).resolve('@charanim/db');
  const journal = join(dirname(entry), '..', 'migrations', 'meta', '_journal.json');
  const { entries } = JSON.parse(readFileSync(journal, 'utf8')) as { entries: Migration[] };
  return entries.map(({ tag, when }) => ({ tag, when }));
}
