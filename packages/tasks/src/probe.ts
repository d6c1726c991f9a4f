import { ProviderError } from '@charanim/provider';
import type { TaskCoreDeps } from './deps.ts';

/** The owner a probe takes its place in the create window as. */
const PROBE_OWNER = '(probe)';

/**
 * Asks kie.ai whether each model runs, with a createTask of an empty input, for the models whose
 * plugin says that such a request costs nothing (KIE_PROBE_MODELS). A refusal of the missing
 * fields means that kie.ai looked at the input: the model runs. Each probe takes a place in the
 * account's create window like any create. Answers the models it learned of.
 */
export async function probeModels(deps: TaskCoreDeps): Promise<string[]> {
  const learned: string[] = [];
  for (const model of deps.models.list()) {
    if (model.mode !== 'task' || !model.emptyRequestIsFree) continue;
    try {
      await deps.createLimiter.admit(PROBE_OWNER, Date.now() + deps.createTimeoutMs);
      await deps.client.createTask({ model: model.id, input: {} });
      await deps.availability.taken(model.id);
      learned.push(model.id);
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'VALIDATION') {
        await deps.availability.taken(model.id);
        learned.push(model.id);
      } else if (error instanceof ProviderError && error.code === 'MODEL_PAUSED') {
        await deps.availability.failed(model.id, error);
        learned.push(model.id);
      } else {
        deps.logger.warn({ err: error, model: model.id }, 'model probe told nothing');
      }
    }
  }
  return learned;
}
