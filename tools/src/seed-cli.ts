/**
 * `npm run seed -- --characters 1000000 [--owner local]`: fills the configured database
 * (DATABASE_URL, or the embedded PGlite in DATA_DIR) with finished tasks and characters.
 */
import { parseArgs } from 'node:util';
import { type DatabaseHandle, DatabaseOpenError, openDatabase } from '@charanim/db';
import { loadConfigOrExit } from '@charanim/gateway';
import { seedCharacters } from './seed.ts';

const usage = 'usage: npm run seed -- --characters N [--owner NAME]';

function options(): { count: number; owner: string } {
  try {
    const { values } = parseArgs({
      options: { characters: { type: 'string' }, owner: { type: 'string', default: 'local' } },
    });
    const count = Number(values.characters);
    if (!Number.isInteger(count) || count < 1)
      throw new Error('--characters must be a positive whole number');
    return { count, owner: values.owner };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

const { count, owner } = options();
const config = loadConfigOrExit();
let database: DatabaseHandle;
try {
  database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await database.migrate();
} catch (error) {
  if (!(error instanceof DatabaseOpenError)) throw error;
  process.stderr.write(`seed: ${error.message}\n`);
  process.exit(78); // EX_CONFIG, as the gateway
}
const started = Date.now();
await seedCharacters(database.db, {
  count,
  owner,
  onProgress: (written) =>
    process.stderr.write(`\r${written.toLocaleString('en-US')} / ${count.toLocaleString('en-US')}`),
});
process.stderr.write(
  `\nseeded ${count.toLocaleString('en-US')} characters for ${owner} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
await database.close();
