import { creditCharges, type DatabaseHandle, openDatabase, setCreditBudget } from '@charanim/db';
import {
  createDatabase,
  type Spawned,
  startEmulatorProcess,
  startGatewayProcess,
} from '@charanim/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorTasks } from './support/emulator-process.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';

/**
 * One owner's budget spent from two gateway processes at once, on one database: the reservations
 * of both take turns on the owner's budget row, so that together they never pass it.
 */

const KEY = 'acme-key-0123456789abcdef';
/** Nine Sora 2 characters of 10 credits fit, the tenth would pass it. */
const BUDGET = 95;
const ESTIMATE = 10;
const CREATES = 40;

let database: Awaited<ReturnType<typeof createDatabase>>;
let db: DatabaseHandle;
let emulator: Spawned;
let gateways: Spawned[] = [];

beforeAll(async () => {
  database = await createDatabase();
  emulator = await startEmulatorProcess();
  const env = {
    DATABASE_URL: database.url,
    KIE_API_BASE_URL: emulator.url,
    KIE_UPLOAD_BASE_URL: emulator.url,
    GATEWAY_API_KEYS: `acme:${KEY}`,
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
  };
  gateways = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  db = await openDatabase({ url: database.url });
  await setCreditBudget(db.db, 'acme', { creditsPerDay: BUDGET, creditsPerMonth: null });
}, 120_000);
afterAll(async () => {
  await db?.close();
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await emulator?.stop();
  await database?.drop();
});

describe('a budget spent from two instances at once', () => {
  it('is never passed: as many creates go through as it holds, and only they reach kie.ai', async () => {
    const answers = await Promise.all(
      Array.from({ length: CREATES }, (_, i) =>
        graphql(
          `${gateways[i % gateways.length]?.url}/graphql`,
          CREATE_CHARACTER.replace(
            '... on Error { message }',
            '... on Error { message } ... on BudgetExceededError { budget spent }',
          ),
          { input: { videoUrl: `https://videos.example.com/race-${i}.mp4` } },
          KEY,
        ),
      ),
    );
    const kinds = answers.map((answer) => answer.data?.createCharacter.__typename);
    const accepted = kinds.filter((kind) => kind === 'CreateCharacterSuccess').length;
    expect(kinds.filter((kind) => kind === 'BudgetExceededError')).toHaveLength(CREATES - accepted);
    // At most one estimate over the budget, as issue 18 allows; the row lock gives none at all.
    expect(accepted * ESTIMATE).toBeLessThanOrEqual(BUDGET + ESTIMATE);
    expect(accepted).toBe(Math.floor(BUDGET / ESTIMATE));
    for (const answer of answers) {
      const refused = answer.data?.createCharacter;
      if (refused.__typename === 'BudgetExceededError') {
        expect(refused.budget).toBe(BUDGET);
        expect(refused.spent + ESTIMATE).toBeGreaterThan(BUDGET);
      }
    }
    const charges = await db.db.select().from(creditCharges).where(eq(creditCharges.owner, 'acme'));
    expect(charges.reduce((sum, charge) => sum + (charge.charged ?? charge.estimate), 0)).toBe(
      accepted * ESTIMATE,
    );
    expect(await emulatorTasks(emulator.url)).toHaveLength(accepted);
  });
});
