import type { TaskRow } from '@charanim/db';
import type { ProviderError } from '@charanim/provider';
import type { BudgetExceeded } from './credits.ts';

/** What a submission came to: the task, or why there is none (or why it failed). */
export type SubmitOutcome =
  | { kind: 'submitted'; task: TaskRow }
  /** The input broke a rule: nothing was written and the provider was not called. */
  | { kind: 'invalid'; field: string | null; message: string }
  /** The idempotency key made `task` from another input: nothing was written or sent. */
  | { kind: 'keyReused'; task: TaskRow }
  /** The provider refused the task or could not be reached; `task` is what was recorded. */
  | { kind: 'provider'; error: ProviderError; task: TaskRow | null }
  /** No place in kie.ai's create window came up in time: `task` was ended FAIL, nothing was sent. */
  | { kind: 'rateLimited'; retryAfterSeconds: number; message: string; task: TaskRow }
  /** The owner's credit budget would be passed: `task` was ended FAIL, nothing was sent. */
  | { kind: 'budget'; refusal: BudgetExceeded; message: string; task: TaskRow };

export type Invalid = Extract<SubmitOutcome, { kind: 'invalid' }>;

export function invalid(field: string | null, message: string): Invalid {
  return { kind: 'invalid', field, message };
}
