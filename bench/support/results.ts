import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * Where results go: `bench/results/`, or the folder in BENCH_RESULTS_DIR (`npm run bench:quick`
 * sets one, so that a smoke run never overwrites the figures BENCHMARKS.md is made from).
 */
export function resultsDir(): URL {
  const dir = process.env.BENCH_RESULTS_DIR;
  return dir
    ? new URL(`file://${dir.endsWith('/') ? dir : `${dir}/`}`)
    : new URL('../results/', import.meta.url);
}

/** Writes `<results>/<name>.json`: what was run, what was measured, and against what. */
export function writeResult(name: string, result: Record<string, unknown>): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  const body = { name, ranAt: new Date().toISOString(), node: process.version, ...result };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file.pathname;
}
