import { sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { type ModelAvailabilityRow, modelAvailability } from '../schema.ts';

/** What kie.ai's answers say of a model: it took a request, or it refused it as paused. */
export type LearnedState = 'AVAILABLE' | 'PAUSED';

/**
 * Records what kie.ai's last answer said of a model, for every instance. A model that stays as it
 * was is written again only once a minute: a busy model's creates do not each write a row.
 */
export async function recordModelAvailability(
  db: Executor,
  learned: { model: string; state: LearnedState; message: string | null },
): Promise<void> {
  await db
    .insert(modelAvailability)
    .values(learned)
    .onConflictDoUpdate({
      target: modelAvailability.model,
      set: { state: learned.state, message: learned.message, checkedAt: sql`now()` },
      setWhere: sql`${modelAvailability.state} <> excluded.state
        or ${modelAvailability.message} is distinct from excluded.message
        or ${modelAvailability.checkedAt} < now() - interval '1 minute'`,
    });
}

/** What is known of every model kie.ai has answered for. */
export function modelAvailabilities(db: Executor): Promise<ModelAvailabilityRow[]> {
  return db.select().from(modelAvailability);
}

/** The model's row when kie.ai refused it as paused within `withinMs`. */
export async function pausedWithin(
  db: Executor,
  model: string,
  withinMs: number,
): Promise<ModelAvailabilityRow | undefined> {
  const [row] = await db
    .select()
    .from(modelAvailability)
    .where(
      sql`${modelAvailability.model} = ${model} and ${modelAvailability.state} = 'PAUSED'
        and ${modelAvailability.checkedAt} > now() - make_interval(secs => ${withinMs / 1000}::float8)`,
    );
  return row;
}
