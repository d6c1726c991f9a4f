import { z } from 'zod';
import type { EmulatorWorld, ModelRegistry, TaskModel } from '../models/define-model.ts';
import { isHttpUrl } from '../models/rules.ts';

/** A createTask body the emulator accepted, with the plugin of its model. */
export interface CreateTaskBody {
  model: string;
  callBackUrl?: string | undefined;
  input: Record<string, unknown>;
  plugin: TaskModel;
}

const envelope = z.object({
  model: z.string({ error: 'is required' }),
  callBackUrl: z.string().refine(isHttpUrl, 'must be an http(s) URL').optional(),
  input: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
});

/**
 * Checks a createTask body as kie.ai would for the task models it knows: the model, the callback
 * URL, and the input by the rules each plugin declares for the emulator. Answers the accepted body
 * or kie.ai's message naming what is wrong.
 */
export function readCreateTaskBody(
  models: ModelRegistry,
  body: unknown,
  world: EmulatorWorld = { imageCountOf: () => undefined },
): CreateTaskBody | { refusal: string } {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return { refusal: describeIssues(parsed.error) };
  const { model, callBackUrl, input } = parsed.data;
  const plugin = models.get(model);
  if (plugin?.mode !== 'task') return { refusal: `model ${model} is not supported` };
  const checked = plugin.emulator.request.safeParse(input);
  if (!checked.success) return { refusal: describeIssues(checked.error, 'input') };
  const refusal = plugin.emulator.check?.(input, world);
  if (refusal) return { refusal: `input ${refusal}` };
  return { model, ...(callBackUrl !== undefined && { callBackUrl }), input, plugin };
}

/** kie.ai's refusal names the field and what is wrong with it. */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .map((issue) => {
      const path = [...(prefix ? [prefix] : []), ...issue.path].join('.');
      return path ? `${path} ${issue.message}` : issue.message;
    })
    .join('; ');
}
