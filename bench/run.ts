/**
 * `npm run bench`: every benchmark in its own process, one after the other (so that none shares
 * the machine with another), then the goals table of BENCHMARKS.md rewritten from
 * bench/results. `npm run bench:quick` (`--quick`): the same at small sizes, results in a scratch
 * folder and BENCHMARKS.md untouched: a smoke test of the harness, which fails only when a
 * benchmark does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsDir } from './support/results.ts';
import { goalsTable, withTable } from './support/table.ts';

const quick = process.argv.includes('--quick');
const benchmarks = ['create', 'callbacks', 'fanout', 'cluster', 'create-limit', 'upload', 'search'];
if (quick) process.env.BENCH_RESULTS_DIR = mkdtempSync(join(tmpdir(), 'charanim-bench-'));

const failed: string[] = [];
for (const name of benchmarks) {
  const script = new URL(`${name}.ts`, import.meta.url);
  if (!existsSync(script)) continue;
  const started = Date.now();
  console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', script.pathname, ...(quick ? ['--quick'] : [])],
    { stdio: 'inherit' },
  );
  console.log(
    `== ${name}: ${run.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (run.status !== 0) failed.push(name);
}

const table = goalsTable(resultsDir());
if (quick) console.log(`\n${table}`);
else {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  writeFileSync(file, withTable(readFileSync(file, 'utf8'), table));
  // As `npm run lint` wants them, so that a run's results can be committed as they are.
  spawnSync('npx', ['biome', 'format', '--write', 'bench/results', 'BENCHMARKS.md'], {
    stdio: 'inherit',
    cwd: new URL('..', import.meta.url),
  });
  console.log('\nBENCHMARKS.md: goals table rewritten');
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
