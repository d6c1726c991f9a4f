/**
 * `npm run readme:models` writes the README's table of the models from the plugins, between its
 * markers; `-- --check` fails when the committed table differs, so that a new model or a changed
 * input shows up in the README.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createModelRegistry } from '@charanim/tasks';
import { modelsTable, tableIn, withTable } from './models-table.ts';

const file = new URL('../../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const table = modelsTable(createModelRegistry().list());

if (process.argv.includes('--check')) {
  if (tableIn(readme) !== table) {
    process.stderr.write(
      'the models table in README.md is out of date: run `npm run readme:models`\n',
    );
    process.exit(1);
  }
  process.stdout.write('the models table in README.md matches the plugins\n');
} else {
  writeFileSync(file, withTable(readme, table));
  process.stdout.write(`wrote the models table in ${file.pathname}\n`);
}
