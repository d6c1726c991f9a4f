/**
 * `npm run schema:print` writes schema.graphql from the Pothos schema; `npm run schema:baseline`
 * writes schema.baseline.graphql, the schema clients may rely on; `npm run schema:check` fails when
 * the committed schema.graphql differs from the code's, so that every schema change shows up in
 * review, or when the code's schema breaks the baseline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { schema } from '@charanim/schema';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { describeChanges, schemaChanges } from './schema-changes.ts';

const file = new URL('../../schema.graphql', import.meta.url);
// The baseline is a committed file rather than schema.graphql at a git revision: CI checks out a
// fresh and maybe shallow clone, where neither origin/main nor earlier commits need exist, and a
// break that is meant shows up in review as a change to this file.
const baselineFile = new URL('../../schema.baseline.graphql', import.meta.url);
const printed = `${printSchema(lexicographicSortSchema(schema))}\n`;

function read(url: URL): string | undefined {
  try {
    return readFileSync(url, 'utf8');
  } catch {
    return undefined;
  }
}

async function check(): Promise<boolean> {
  let passed = true;
  const committed = read(file);
  if (committed !== printed) {
    passed = false;
    process.stderr.write(
      'schema.graphql differs from the schema the code builds: run `npm run schema:print` and commit it; the code against it:\n',
    );
    if (committed) process.stderr.write(describeChanges(await schemaChanges(committed, printed)));
  } else {
    process.stdout.write('schema.graphql matches the code\n');
  }

  const baseline = read(baselineFile);
  if (baseline === undefined) {
    process.stderr.write('schema.baseline.graphql is missing: run `npm run schema:baseline`\n');
    return false;
  }
  const changes = await schemaChanges(baseline, printed);
  const breaking = changes.filter((change) => change.level === 'breaking').length;
  if (changes.length > 0) {
    process.stdout.write(`changes since schema.baseline.graphql:\n${describeChanges(changes)}`);
  }
  if (breaking > 0) {
    process.stderr.write(
      `${breaking} breaking change${breaking === 1 ? '' : 's'} against schema.baseline.graphql: clients written against it may fail. Keep what they use (deprecate it instead), or if the break is meant, run \`npm run schema:baseline\` and commit it with the change\n`,
    );
    return false;
  }
  process.stdout.write('no breaking change against schema.baseline.graphql\n');
  return passed;
}

if (process.argv.includes('--check')) {
  if (!(await check())) process.exit(1);
} else {
  const target = process.argv.includes('--baseline') ? baselineFile : file;
  writeFileSync(target, printed);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
