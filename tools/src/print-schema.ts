/**
 * `npm run schema:print` writes schema.graphql from the Pothos schema; `npm run schema:check`
 * fails when the committed file differs, so that every schema change shows up in review.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { schema } from '@charanim/schema';
import { lexicographicSortSchema, printSchema } from 'graphql';

const file = new URL('../../schema.graphql', import.meta.url);
const printed = `${printSchema(lexicographicSortSchema(schema))}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // reported below as a difference
  }
  if (committed !== printed) {
    process.stderr.write(
      'schema.graphql differs from the schema the code builds: run `npm run schema:print` and commit it\n',
    );
    process.exit(1);
  }
  process.stdout.write('schema.graphql matches the code\n');
} else {
  writeFileSync(file, printed);
  process.stdout.write(`wrote ${file.pathname}\n`);
}
