import { type BudgetRefusal, reserveCredits, type TaskRow } from '@charanim/db';
import type { TaskCoreDeps } from '../deps.ts';
import type { PreparedSubmission } from './prepare.ts';

/** A create refused by its owner's credit budget: the budget, what was spent, what it asked. */
export interface BudgetExceeded extends BudgetRefusal {
  /** The plugin's estimate of the refused request. */
  estimate: number;
}

/**
 * Reserves the task's estimate against its owner's budget before anything of it reaches kie.ai
 * (an upload included); undefined when reserved. A task is charged once, whichever request sends
 * it, and the charge is settled when the task ends (migration 0020).
 */
export async function reserveEstimate(
  { db, logger }: Pick<TaskCoreDeps, 'db' | 'logger'>,
  task: TaskRow,
  { plugin, input }: Pick<PreparedSubmission, 'plugin' | 'input'>,
): Promise<BudgetExceeded | undefined> {
  const estimate = plugin.estimateCredits(input);
  const refusal = await reserveCredits(db, { taskId: task.id, owner: task.owner, estimate });
  if (!refusal) return undefined;
  const refused = { ...refusal, estimate };
  logger.info(
    { taskId: task.id, owner: task.owner, model: task.model, ...refused },
    `create refused: it would pass the ${periodName[refused.period]} credit budget`,
  );
  return refused;
}

const periodName = { DAY: 'daily', MONTH: 'monthly' } as const;

/** What a refused task's error and the client are told. */
export function budgetMessage({ period, budget, spent, estimate }: BudgetExceeded): string {
  return `this request's ${estimate} credits would pass the ${periodName[period]} budget of ${budget} credits (${spent} spent); nothing was sent to kie.ai`;
}
