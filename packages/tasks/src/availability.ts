import {
  type Executor,
  type ModelAvailabilityRow,
  modelAvailabilities,
  pausedWithin,
  recordModelAvailability,
} from '@charanim/db';
import { type ModelDefinition, ProviderError } from '@charanim/provider';

/** Whether kie.ai runs a model now, as far as the gateway knows. */
export interface Availability {
  state: 'AVAILABLE' | 'PAUSED' | 'UNKNOWN';
  /** kie.ai's own words when it paused the model. */
  message: string | null;
  /** When kie.ai last said so; null when it comes from the plugin (nothing learned yet). */
  checkedAt: Date | null;
}

/** What resolvers, `/ready` and the start log read of the models' availability. */
export interface AvailabilityService {
  /** Every served model's availability, by id. */
  all(): Promise<Map<string, Availability>>;
  /** The models known to be paused, for `/ready` and the start log. */
  paused(): Promise<PausedModel[]>;
}

export interface PausedModel {
  model: string;
  message: string | null;
  checkedAt: Date | null;
}

/**
 * How long a paused answer stands for kie.ai's: a create for the model within it is refused
 * without a call; the first one after it asks kie.ai again.
 */
export const PAUSED_STANDS_MS = 60_000;

/** What kie.ai's answers taught, or else what the plugin knows (a model paused upstream). */
export function availabilityOf(
  model: ModelDefinition,
  learned: ModelAvailabilityRow | undefined,
): Availability {
  if (learned) {
    const state = learned.state === 'PAUSED' ? 'PAUSED' : 'AVAILABLE';
    return { state, message: learned.message, checkedAt: learned.checkedAt };
  }
  return model.pausedUpstream
    ? { state: 'PAUSED', message: model.pausedUpstream, checkedAt: null }
    : { state: 'UNKNOWN', message: null, checkedAt: null };
}

export function availabilityService(
  db: Executor,
  models: { list(): ModelDefinition[] },
): AvailabilityService {
  async function all(): Promise<Map<string, Availability>> {
    const rows = new Map((await modelAvailabilities(db)).map((row) => [row.model, row]));
    return new Map(
      models.list().map((model) => [model.id, availabilityOf(model, rows.get(model.id))]),
    );
  }
  return {
    all,
    async paused() {
      return [...(await all())]
        .filter(([, availability]) => availability.state === 'PAUSED')
        .map(([model, { message, checkedAt }]) => ({ model, message, checkedAt }));
    },
  };
}

/**
 * What one instance learns of each model from kie.ai's answers, written to the database that all
 * instances share. A model kie.ai took a request for within `TAKEN_FRESH_MS` is neither asked of
 * the database nor written again: at hundreds of creates a second those two statements per create
 * were half the database work. Another instance's news of a pause reaches this one that much later
 * at most, and meanwhile kie.ai refuses its calls itself (and this instance learns it so).
 */
export interface AvailabilityLearner {
  /** kie.ai's refusal of a model it paused within the last minute, answered without asking it. */
  pausedRefusal(model: string): Promise<ProviderError | undefined>;
  /** kie.ai took a request for `model`: it runs. */
  taken(model: string): Promise<void>;
  /** A request for `model` failed: a refusal as paused is remembered; nothing else says anything. */
  failed(model: string, error: unknown): Promise<void>;
}

/** How long a model kie.ai took a request for counts as running without a look at the database. */
const TAKEN_FRESH_MS = 5_000;

export function availabilityLearner(db: Executor): AvailabilityLearner {
  const takenAt = new Map<string, number>();
  const fresh = (model: string) => Date.now() - (takenAt.get(model) ?? 0) < TAKEN_FRESH_MS;
  return {
    async pausedRefusal(model) {
      if (fresh(model)) return undefined;
      const row = await pausedWithin(db, model, PAUSED_STANDS_MS);
      if (!row) return undefined;
      // The same code and words as kie.ai's, so that a client sees one refusal whichever instance
      // answered.
      return new ProviderError(row.message ?? `kie.ai paused ${model}`, {
        code: 'MODEL_PAUSED',
        retryable: false,
        refused: true,
      });
    },
    async taken(model) {
      if (fresh(model)) return;
      // Set before the write, so that a pause learned while it runs (`failed`) is not undone.
      const at = Date.now();
      takenAt.set(model, at);
      try {
        await recordModelAvailability(db, { model, state: 'AVAILABLE', message: null });
      } catch (error) {
        if (takenAt.get(model) === at) takenAt.delete(model);
        throw error;
      }
    },
    async failed(model, error) {
      if (!(error instanceof ProviderError && error.code === 'MODEL_PAUSED')) return;
      takenAt.delete(model);
      await recordModelAvailability(db, { model, state: 'PAUSED', message: error.message });
    },
  };
}
