/**
 * `npm run bench`: every benchmark in its own process, one after the other (so that none shares
 * the machine with another), then the goals table of BENCHMARKS.md rewritten from
 * bench/results. `npm run bench:quick` (`--quick`): the same at small sizes and all at once,
 * results in a scratch folder and BENCHMARKS.md untouched: a smoke test of the harness, which
 * fails only when a benchmark does; its figures mean nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsDir } from './support/results.ts';
import { goalsTable, withTable } from './support/table.ts';

const quick = process.argv.includes('--quick');
const benchmarks = ['create', 'callbacks', 'fanout', 'cluster', 'create-limit', 'upload', 'search'];
if (quick) process.env.BENCH_RESULTS_DIR = mkdtempSync(join(tmpdir(), 'charanim-bench-'));

/** Runs one benchmark; in quick mode its output is held and printed whole once it ends. */
async function run(name: string): Promise<boolean> {
  const script = new URL(`${name}.ts`, import.meta.url);
  if (!existsSync(script)) return true;
  const started = Date.now();
  const heading = `== ${name}${quick ? ' (quick)' : ''}`;
  if (!quick) console.log(`\n${heading}`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script.pathname, ...(quick ? ['--quick'] : [])],
    { stdio: quick ? ['ignore', 'pipe', 'pipe'] : 'inherit' },
  );
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => (output += chunk));
  }
  // 'close', not 'exit': the pipes may still hold the end of its output, a failure's stack.
  const [code] = await once(child, 'close');
  if (quick) console.log(`\n${heading}\n${output.trimEnd()}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`== ${name}: ${code === 0 ? 'done' : 'FAILED'} in ${seconds} s`);
  return code === 0;
}

const failed: string[] = [];
if (quick) {
  const results = await Promise.all(benchmarks.map(run));
  failed.push(...benchmarks.filter((_, i) => !results[i]));
} else {
  for (const name of benchmarks) if (!(await run(name))) failed.push(name);
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
