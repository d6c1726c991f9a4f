import { z } from 'zod';
import type { EmulatorWorld, ModelRegistry } from '../models/define-model.ts';
import { isHttpUrl } from '../models/rules.ts';
import type { CreateTaskBody } from './create-task-body.ts';

/** kie.ai's answer to a createTask for a model it has paused, as its integrators report it. */
export const PAUSED_MESSAGE = 'This interface is temporarily paused';

/** A body kie.ai takes, or its refusal in kie.ai's words (sent with code 500). */
export type Verdict<Accepted> = { accepted: Accepted } | { refusal: string };

const envelope = z.object({
  callBackUrl: z.string().refine(isHttpUrl, 'must be an http(s) URL').optional(),
  input: z.record(z.string(), z.unknown()),
});

/**
 * Judges a createTask body as kie.ai does: a paused model is refused before its input is looked
 * at, then an unknown model ("… not supported"), then each field by the rules its plugin declares
 * ("… is required", "… not within the range of allowed options"), then the rules across fields.
 */
export function judgeCreateTask(
  models: ModelRegistry,
  body: unknown,
  pausedModels: ReadonlySet<string>,
  world: EmulatorWorld,
): Verdict<CreateTaskBody> {
  const model =
    typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
  if (typeof model !== 'string' || model === '') return { refusal: 'model is required' };
  if (pausedModels.has(model)) return { refusal: PAUSED_MESSAGE };
  const plugin = models.get(model);
  if (plugin?.mode !== 'task') return { refusal: `The model ${model} is not supported` };
  const parsed = envelope.safeParse(body, { reportInput: true });
  if (!parsed.success) return { refusal: describeIssues(parsed.error) };
  const { callBackUrl, input } = parsed.data;
  const checked = plugin.emulator.request.safeParse(input, { reportInput: true });
  if (!checked.success) return { refusal: describeIssues(checked.error, 'input') };
  const crossed = plugin.emulator.check?.(input, world);
  if (crossed) return { refusal: `input is not within the range of allowed options: ${crossed}` };
  return { accepted: { model, ...(callBackUrl !== undefined && { callBackUrl }), input, plugin } };
}

/** Judges a body by a plugin's rules for a model that answers in the same request. */
export function judgeBody(
  request: z.ZodType,
  model: string,
  body: unknown,
  pausedModels: ReadonlySet<string>,
): Verdict<Record<string, unknown>> {
  if (pausedModels.has(model)) return { refusal: PAUSED_MESSAGE };
  const checked = request.safeParse(body, { reportInput: true });
  if (!checked.success) return { refusal: describeIssues(checked.error) };
  return { accepted: body as Record<string, unknown> };
}

/** kie.ai's refusal names each field and says whether it is missing or out of range. */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .map((issue) => {
      const field = [...(prefix ? [prefix] : []), ...issue.path].join('.');
      if (issue.input === undefined) return `${field || 'the body'} is required`;
      return `${field || 'the body'} is not within the range of allowed options: ${issue.message}`;
    })
    .join('; ');
}
