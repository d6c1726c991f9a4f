import { z } from 'zod';
import { providerTaskStates, type TaskRecord } from './types.ts';
import { parseProviderData } from './wire.ts';

/** Lets `schema` read an object whose id kie.ai named `task_id`, as some of its pages do. */
export function acceptTaskIdAlias<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess(
    (value) =>
      typeof value === 'object' && value !== null && !('taskId' in value) && 'task_id' in value
        ? { ...value, taskId: value.task_id }
        : value,
    schema,
  );
}

/** createTask's `data`: the id of the task kie.ai made. */
export const createdTaskSchema = acceptTaskIdAlias(z.object({ taskId: z.string().min(1) }));

/** kie.ai sends `""` for "none"; we say `null`. */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value || null);

/** Milliseconds since the epoch, sent as a number, a numeric string or an ISO date. */
const optionalTime = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((value, context) => {
    if (value === null || value === undefined || value === '') return null;
    const ms = typeof value === 'number' || /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (Number.isFinite(ms)) return ms;
    context.addIssue({ code: 'custom', message: 'not a time' });
    return z.NEVER;
  });

/**
 * Credits as kie.ai reports them: a number or a numeric string, rounded up to a whole credit (some
 * models are priced in fractions). Anything else is read as unknown rather than failing the record.
 */
const optionalCredits = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d+(?:\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number().nonnegative().finite())
  .transform(Math.ceil)
  .optional()
  .catch(undefined);

/** A recordInfo `data` object or a callback's `data`, read into a {@link TaskRecord}. */
export const taskRecordSchema: z.ZodType<TaskRecord> = acceptTaskIdAlias(
  z
    .object({
      taskId: z.string().min(1),
      model: z.string(),
      state: z
        .string()
        .transform((state) => state.toLowerCase())
        .pipe(z.enum(providerTaskStates)),
      param: optionalText,
      resultJson: optionalText,
      failCode: optionalText,
      failMsg: optionalText,
      createTime: optionalTime,
      updateTime: optionalTime,
      completeTime: optionalTime,
      // recordInfo's name for it, and the callback's.
      creditsConsumed: optionalCredits,
      consumeCredits: optionalCredits,
    })
    .transform(({ consumeCredits, creditsConsumed, ...record }) => ({
      ...record,
      creditsConsumed: creditsConsumed ?? consumeCredits,
    })),
);

/** Reads a task record; throws a ProviderError (UNKNOWN) naming what is wrong with it. */
export function parseTaskRecord(data: unknown): TaskRecord {
  return parseProviderData(taskRecordSchema, data, 'task record');
}
