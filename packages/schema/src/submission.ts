import type { ModelDefinition, SubmitOutcome, TaskRow, Upload } from '@charanim/tasks';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from './context.ts';
import {
  type BudgetExceededErrorShape,
  budgetExceededError,
  type ProviderErrorShape,
  providerError,
  type RateLimitedErrorShape,
  rateLimitedError,
  type ValidationErrorShape,
  validationError,
} from './errors.ts';
import { fileFieldsOf } from './model-input.ts';

/** What a create mutation answers: its success (the task), or an error as data. */
export type CreateOutcome<Success extends string> =
  | { kind: Success; task: TaskRow }
  | ValidationErrorShape
  | ProviderErrorShape
  | RateLimitedErrorShape
  | BudgetExceededErrorShape;

/**
 * Runs a create for the caller, within the owner's budget of mutations, and answers what the task
 * core said as the mutation's union: `success` names its success type.
 */
export async function create<Success extends string>(
  ctx: Context,
  success: Success,
  run: () => Promise<SubmitOutcome | ValidationErrorShape>,
): Promise<CreateOutcome<Success>> {
  const wait = await ctx.viewer.takeMutation();
  if (wait !== undefined) return rateLimitedError(wait);
  const outcome = await run();
  switch (outcome.kind) {
    case 'ValidationError':
      return outcome;
    case 'submitted':
      return { kind: success, task: outcome.task };
    case 'invalid':
      return validationError(outcome.field, outcome.message);
    case 'keyReused':
      return validationError(
        'idempotencyKey',
        `idempotencyKey was used with a different input, for task ${encodeGlobalID('Task', outcome.task.id)}`,
      );
    case 'provider':
      return providerError(outcome.error, outcome.task);
    case 'budget':
      return budgetExceededError(outcome.refusal, outcome.message);
    case 'rateLimited':
      return rateLimitedError(outcome.retryAfterSeconds, outcome.message);
  }
}

/** A GraphQL input object split for the task core: fields (nulls as absent), files and the key. */
export function splitInput(
  given: Record<string, unknown>,
  fileFields: ReadonlySet<string>,
): {
  input: Record<string, unknown>;
  files: Record<string, Upload | undefined>;
  idempotencyKey: string | undefined;
} {
  const input: Record<string, unknown> = {};
  const files: Record<string, Upload | undefined> = {};
  for (const [field, value] of Object.entries(given)) {
    if (field === 'idempotencyKey' || field === 'model') continue;
    if (fileFields.has(field)) files[field] = (value ?? undefined) as Upload | undefined;
    else input[field] = value ?? undefined;
  }
  const key = given.idempotencyKey;
  return { input, files, idempotencyKey: typeof key === 'string' ? key : undefined };
}

/** Hands a create to the task core for one of the models a mutation serves. */
export function submitFor(
  ctx: Context,
  operation: string,
  served: ModelDefinition[],
  model: string,
  given: Record<string, unknown>,
) {
  return async () => {
    if (!served.some((candidate) => candidate.id === model)) {
      const names = served.map((candidate) => candidate.id).join(', ');
      return validationError('model', `model is "${model}"; ${operation} takes ${names}`);
    }
    return ctx.tasks.submit({
      owner: ctx.viewer.owner,
      model,
      operation,
      ...splitInput(given, fileFieldsOf(served)),
    });
  };
}
