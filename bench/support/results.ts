import { mkdirSync, writeFileSync } from 'node:fs';

/** Writes `bench/results/<name>.json`: what was run, what was measured, and against what. */
export function writeResult(name: string, result: Record<string, unknown>): string {
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  const body = { name, ranAt: new Date().toISOString(), node: process.version, ...result };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file.pathname;
}
