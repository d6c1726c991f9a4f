import {
  type BudgetExceeded,
  ProviderError as ProviderFailure,
  type providerErrorCodes,
  type TaskRow,
} from '@charanim/tasks';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { Task } from './refs.ts';

export interface ValidationErrorShape {
  kind: 'ValidationError';
  message: string;
  field: string | null;
}

export interface ProviderErrorShape {
  kind: 'ProviderError';
  message: string;
  code: (typeof providerErrorCodes)[number];
  retryable: boolean;
  /** The task the request recorded before kie.ai failed it, if it got that far. */
  task: TaskRow | null;
}

export interface RateLimitedErrorShape {
  kind: 'RateLimitedError';
  message: string;
  retryAfterSeconds: number;
}

export interface BudgetExceededErrorShape extends BudgetExceeded {
  kind: 'BudgetExceededError';
  message: string;
}

export function budgetExceededError(
  refusal: BudgetExceeded,
  message: string,
): BudgetExceededErrorShape {
  return { kind: 'BudgetExceededError', message, ...refusal };
}

export function rateLimitedError(
  retryAfterSeconds: number,
  message = `too many requests for this owner; retry after ${retryAfterSeconds} s`,
): RateLimitedErrorShape {
  return {
    kind: 'RateLimitedError',
    message,
    retryAfterSeconds,
  };
}

export function validationError(field: string | null, message: string): ValidationErrorShape {
  return { kind: 'ValidationError', field, message };
}

export function providerError(
  error: ProviderFailure,
  task: TaskRow | null = null,
): ProviderErrorShape {
  return {
    kind: 'ProviderError',
    message: error.message,
    code: error.code,
    retryable: error.retryable,
    task,
  };
}

/**
 * Runs a field's call to kie.ai: a ProviderError becomes a GraphQL error with the provider's code
 * and whether it is retryable (masked errors would hide it); anything else is thrown as it is.
 */
export async function withProviderErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ProviderFailure)) throw error;
    throw new GraphQLError(error.message, {
      extensions: { code: error.code, retryable: error.retryable },
    });
  }
}

export const ErrorInterface = builder.interfaceRef<{ message: string }>('Error').implement({
  description: 'A failure the caller can act on, returned as data.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

export const ValidationError = builder
  .objectRef<ValidationErrorShape>('ValidationError')
  .implement({
    description: 'The input broke a rule; nothing was written and the provider was not called.',
    interfaces: [ErrorInterface],
    isTypeOf: (value) => (value as { kind?: string }).kind === 'ValidationError',
    fields: (t) => ({
      field: t.exposeString('field', {
        nullable: true,
        description: 'The input field that broke the rule.',
      }),
    }),
  });

/** Each code with what it tells a client, in the schema it reads. */
const codeValues: Record<(typeof providerErrorCodes)[number], { description: string }> = {
  UNAUTHORIZED: { description: "kie.ai refused the gateway's API key." },
  INSUFFICIENT_CREDITS: { description: 'The kie.ai account has too few credits left.' },
  NOT_FOUND: { description: 'kie.ai knows no such task or endpoint.' },
  VALIDATION: {
    description: 'kie.ai refused the input (a field missing or out of its allowed range).',
  },
  RATE_LIMITED: { description: 'kie.ai took too many requests; a retry later may pass.' },
  MAINTENANCE: { description: 'kie.ai is under maintenance; a retry later may pass.' },
  SERVER_ERROR: { description: 'kie.ai failed or could not be reached.' },
  GENERATION_FAILED: { description: 'kie.ai could not generate the result.' },
  FEATURE_DISABLED: { description: 'kie.ai has disabled this feature.' },
  MODEL_PAUSED: {
    description:
      'kie.ai has paused the model: it takes no new tasks, and a retry passes only once kie.ai resumes it.',
  },
  MODEL_UNKNOWN: { description: 'kie.ai does not support the model.' },
  UPSTREAM_TIMEOUT: {
    description: "kie.ai's own upstream did not answer in time; a retry later may pass.",
  },
  USAGE_CAP_EXCEEDED: { description: "The usage cap of the gateway's kie.ai key is used up." },
  BLOCKED: {
    description:
      'The CDN in front of kie.ai refused the request before kie.ai saw it (an unidentified User-Agent, or a blocked network); the message says what to check.',
  },
  UNKNOWN: { description: 'kie.ai answered something the gateway could not read.' },
};

export const ProviderErrorCode = builder.enumType('ProviderErrorCode', { values: codeValues });

export const ProviderError = builder.objectRef<ProviderErrorShape>('ProviderError').implement({
  description: 'kie.ai refused the request or could not be reached.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => (value as { kind?: string }).kind === 'ProviderError',
  fields: (t) => ({
    code: t.expose('code', { type: ProviderErrorCode }),
    retryable: t.boolean({
      description: 'Whether the same request may succeed later.',
      resolve: (error) => error.retryable,
    }),
    recordedTask: t.field({
      type: Task,
      nullable: true,
      description:
        'The task recorded for the request: FAIL when kie.ai surely did not take it, PENDING when it may have (follow it; it ends FAIL with SUBMISSION_LOST if kie.ai never reports it).',
      resolve: (error) => error.task,
    }),
  }),
});

export const RateLimitedError = builder
  .objectRef<RateLimitedErrorShape>('RateLimitedError')
  .implement({
    description:
      "Your owner (every API key of it) has used its budget of mutations for now, or no place came up in time in kie.ai's create window, which the whole account shares (KIE_CREATE_LIMIT creates in any 10 s); nothing was sent to kie.ai.",
    interfaces: [ErrorInterface],
    isTypeOf: (value) => (value as { kind?: string }).kind === 'RateLimitedError',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description: 'When the same request may go through.',
      }),
    }),
  });

const BudgetPeriod = builder.enumType('BudgetPeriod', {
  description: "A credit budget's period: a UTC day, or a UTC month.",
  values: ['DAY', 'MONTH'] as const,
});

export const BudgetExceededError = builder
  .objectRef<BudgetExceededErrorShape>('BudgetExceededError')
  .implement({
    description:
      "The request would pass your owner's budget of kie.ai credits (every API key of it shares one): nothing was sent to kie.ai. The task recorded for it ended FAIL with BUDGET_EXCEEDED, and its idempotency key is free again.",
    interfaces: [ErrorInterface],
    isTypeOf: (value) => (value as { kind?: string }).kind === 'BudgetExceededError',
    fields: (t) => ({
      period: t.expose('period', { type: BudgetPeriod, description: 'The budget it would pass.' }),
      budget: t.exposeInt('budget', { description: 'That budget, in credits.' }),
      spent: t.exposeInt('spent', {
        description:
          'What was spent of it: ended tasks as kie.ai billed them, running ones at their estimate.',
      }),
      estimate: t.exposeInt('estimate', { description: 'What this request would cost.' }),
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description: 'When the period ends and the budget is whole again.',
      }),
    }),
  });

export const NotFoundError = builder
  .objectRef<{ kind: 'not-found'; message: string }>('NotFoundError')
  .implement({
    description: 'You have nothing with this id (or it is not yours); nothing was done.',
    interfaces: [ErrorInterface],
    isTypeOf: (value) => (value as { kind?: string }).kind === 'not-found',
    fields: () => ({}),
  });

/** The answer to an id the caller has nothing with. */
export function notFoundError(what: string, id: string) {
  return { kind: 'not-found' as const, message: `you have no ${what} with the id ${id}` };
}
