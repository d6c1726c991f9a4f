import { createDatabase, type ServerDatabase } from '@charanim/test-support';

/** A fresh database for a benchmark, on `BENCH_POSTGRES_URL`'s server or else the tests' one. */
export function benchDatabase(): Promise<ServerDatabase> {
  return createDatabase({ serverUrl: process.env.BENCH_POSTGRES_URL, prefix: 'gateway_bench' });
}
