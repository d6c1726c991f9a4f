/**
 * Search benchmark: 20 representative searches over a seeded library (1,000,000 characters;
 * 10,000 with --quick), done by the gateway's search (full text + trigram, ranked) and by the
 * baseline `ILIKE '%word%'` per word, alternating, on a PostgreSQL server.
 * Goal: p95 under 20 ms and at least 50× faster than the baseline. `npm run bench:search`.
 */
import { listCharacters, openDatabase, rowsOf } from '@charanim/db';
import { seedCharacters } from '@charanim/tools/seed';
import { sql } from 'drizzle-orm';
import { benchDatabase } from './support/database.ts';
import type { Goal } from './support/goals.ts';
import { percentile } from './support/measure.ts';
import { writeResult } from './support/results.ts';

const quick = process.argv.includes('--quick');
const count = quick ? 10_000 : 1_000_000;
const rounds = quick ? 3 : 5;
const OWNER = 'bench';

const searches = [
  'robot',
  'fox',
  'dragon scarf',
  'grumpy pirate',
  'cheerful fox red scarf',
  'dancing',
  'runs',
  'garde',
  'astro',
  'pixel',
  'robto',
  'penguni',
  'wizzard',
  'umbrela',
  'golden crown',
  'sleeping windowsill',
  'neon city',
  'teapot',
  'xylophone',
  'mermaid guitar',
];

const database = await benchDatabase();
const handle = await openDatabase({ url: database.url });
try {
  await handle.migrate();
  const seeding = Date.now();
  await seedCharacters(handle.db, { count, owner: OWNER });
  console.log(
    `seeded ${count.toLocaleString('en-US')} characters in ${((Date.now() - seeding) / 1000).toFixed(1)} s`,
  );

  // The baseline: each word as ILIKE '%word%', newest first, as a search is written without
  // full-text search (the owner-and-date index serves its order).
  const baseline = (search: string) => {
    const words = search.split(' ').map((word) => sql`prompt ilike ${`%${word}%`}`);
    return handle.db.execute(
      sql`select * from characters where owner = ${OWNER} and ${sql.join(words, sql` and `)} order by created_at desc, id desc limit 21`,
    );
  };
  const gateway = (search: string) => listCharacters(handle.db, OWNER, { first: 20, search });

  // Warm both paths once, then alternate them search by search.
  for (const search of searches) {
    await gateway(search);
    await baseline(search);
  }
  const seenPerSearch: Record<
    string,
    { gatewayMs: number[]; baselineMs: number[]; found: number }
  > = {};
  for (let round = 0; round < rounds; round++) {
    for (const search of searches) {
      let started = performance.now();
      const found = await gateway(search);
      const g = performance.now() - started;
      started = performance.now();
      await baseline(search);
      const b = performance.now() - started;
      seenPerSearch[search] ??= { gatewayMs: [], baselineMs: [], found: 0 };
      const seen = seenPerSearch[search];
      seen.gatewayMs.push(g);
      seen.baselineMs.push(b);
      seen.found = found.rows.length;
    }
  }
  const gatewayMs = Object.values(seenPerSearch).flatMap((seen) => seen.gatewayMs);
  const baselineMs = Object.values(seenPerSearch).flatMap((seen) => seen.baselineMs);
  // Each search's median and slowest round: the p95 is set by a few searches' slow rounds.
  const perSearch = Object.fromEntries(
    Object.entries(seenPerSearch).map(([search, seen]) => [
      search,
      {
        gatewayMs: percentile(seen.gatewayMs, 50),
        gatewayMaxMs: Math.max(...seen.gatewayMs),
        baselineMs: percentile(seen.baselineMs, 50),
        found: seen.found,
      },
    ]),
  );
  const sizes = await handle.db.execute(sql`
    select relname as name, pg_relation_size(oid) as bytes from pg_class
    where relname in ('characters', 'characters_search_idx', 'character_terms', 'character_terms_ranked_idx', 'search_terms', 'search_terms_term_trgm_idx')`);
  const indexBytes = Object.fromEntries(
    rowsOf<{ name: string; bytes: string | number }>(sizes).map((row) => [
      row.name,
      Number(row.bytes),
    ]),
  );
  const result = {
    parameters: { characters: count, searches: searches.length, rounds },
    gateway: { p50Ms: percentile(gatewayMs, 50), p95Ms: percentile(gatewayMs, 95) },
    baseline: { p50Ms: percentile(baselineMs, 50), p95Ms: percentile(baselineMs, 95) },
    ratios: {
      p50: percentile(baselineMs, 50) / percentile(gatewayMs, 50),
      p95: percentile(baselineMs, 95) / percentile(gatewayMs, 95),
    },
    sizes: indexBytes,
    perSearch,
    goals: [
      {
        name: `search p95 at ${count.toLocaleString('en-US')} characters`,
        target: '< 20 ms',
        measured: `${percentile(gatewayMs, 95).toFixed(1)} ms`,
        met: percentile(gatewayMs, 95) < 20,
      },
      {
        name: 'search p95 against ILIKE',
        target: '≥ 50× faster',
        measured: `${(percentile(baselineMs, 95) / percentile(gatewayMs, 95)).toFixed(1)}× faster`,
        met: percentile(baselineMs, 95) / percentile(gatewayMs, 95) >= 50,
      },
    ] satisfies Goal[],
  };
  const file = writeResult('search', result);
  const mb = (bytes: number | undefined) => `${((bytes ?? 0) / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `search over ${count.toLocaleString('en-US')} characters (${searches.length} searches × ${rounds})`,
  );
  console.log(
    `  gateway:  p50 ${result.gateway.p50Ms.toFixed(1)} ms, p95 ${result.gateway.p95Ms.toFixed(1)} ms`,
  );
  console.log(
    `  baseline: p50 ${result.baseline.p50Ms.toFixed(1)} ms, p95 ${result.baseline.p95Ms.toFixed(1)} ms (ILIKE '%word%')`,
  );
  console.log(
    `  faster by ${result.ratios.p50.toFixed(1)}× at p50, ${result.ratios.p95.toFixed(1)}× at p95 (goal: p95 < 20 ms and ≥ 50×: ${result.goals.every((goal) => goal.met) ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  table ${mb(indexBytes.characters)}, full-text index ${mb(indexBytes.characters_search_idx)}, lexeme ranks ${mb(indexBytes.character_terms)} + index ${mb(indexBytes.character_terms_ranked_idx)}`,
  );
  console.log('    search                   median (slowest)   baseline median');
  for (const [search, figures] of Object.entries(perSearch)) {
    console.log(
      `    ${search.padEnd(24)} ${figures.gatewayMs.toFixed(1).padStart(6)} (${figures.gatewayMaxMs.toFixed(1).padStart(5)}) ms  ${figures.baselineMs.toFixed(1).padStart(8)} ms  ${figures.found} found`,
    );
  }
  console.log(`  written to ${file}`);
} finally {
  await handle.close();
  await database.drop();
}
