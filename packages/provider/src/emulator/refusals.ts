import type { z } from 'zod';
import { type CreateTaskBody, createTaskBody } from './create-task-body.ts';

/** kie.ai's answer to a createTask for a model it has paused, as its integrators report it. */
export const PAUSED_MESSAGE = 'This interface is temporarily paused';

/** A createTask body kie.ai takes, or its refusal in kie.ai's words (sent with code 500). */
export type CreateTaskVerdict = { accepted: CreateTaskBody } | { refusal: string };

/**
 * Judges a createTask body as kie.ai does: a paused model is refused before its input is looked
 * at, then an unknown model ("… not supported"), then each field ("… is required", "… not within
 * the range of allowed options").
 */
export function judgeCreateTask(
  body: unknown,
  pausedModels: ReadonlySet<string>,
): CreateTaskVerdict {
  const model =
    typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
  if (typeof model !== 'string' || model === '') return { refusal: 'model is required' };
  if (pausedModels.has(model)) return { refusal: PAUSED_MESSAGE };
  // The input travels with each issue, so that a missing field can be told from a wrong one.
  const parsed = createTaskBody.safeParse(body, { reportInput: true });
  if (parsed.success) return { accepted: parsed.data };
  return { refusal: parsed.error.issues.map((issue) => describeIssue(issue, model)).join('; ') };
}

function describeIssue(issue: z.core.$ZodIssue, model: string): string {
  const field = issue.path.join('.');
  if (field === 'model') return `The model ${model} is not supported`;
  if (issue.input === undefined) return `${field} is required`;
  return `${field} is not within the range of allowed options: ${issue.message}`;
}
