import { z } from 'zod';

const MAX_TEXT = 5000;
const MAX_USER_NAME = 40;

const httpUrl = z
  .string()
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an http(s) URL');

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** Seconds in decimal notation: `3`, `3.55`. */
const SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * `"x,y"` in seconds, with a segment of 1 to 4 seconds. The length is rounded to nanoseconds, so
 * that `"1.3,2.3"` is the 1 s it says and not binary floating point's 0.9999999999999998.
 */
const timestamps = z.string().refine((value) => {
  const parts = value.split(',');
  if (parts.length !== 2 || !parts.every((part) => SECONDS.test(part))) return false;
  const [start, end] = parts.map(Number) as [number, number];
  const length = Math.round((end - start) * 1e9) / 1e9;
  return length >= 1 && length <= 4;
}, 'must be "x,y" seconds with 1 ≤ y − x ≤ 4');

const callBackUrl = httpUrl.optional();

/** What kie.ai accepts at createTask for the models the emulator knows. */
export const createTaskBody = z.discriminatedUnion(
  'model',
  [
    z.object({
      model: z.literal('sora-2-characters'),
      callBackUrl,
      input: z.object({
        character_file_url: z.array(httpUrl).length(1, 'must hold exactly one video URL'),
        character_prompt: text(MAX_TEXT).optional(),
        safety_instruction: text(MAX_TEXT).optional(),
      }),
    }),
    z.object({
      model: z.literal('sora-2-characters-pro'),
      callBackUrl,
      input: z.object({
        origin_task_id: z.string().min(1, 'is required'),
        timestamps,
        character_prompt: text(MAX_TEXT).min(1, 'is required'),
        character_user_name: text(MAX_USER_NAME).optional(),
        safety_instruction: text(MAX_TEXT).optional(),
      }),
    }),
  ],
  { error: 'must be sora-2-characters or sora-2-characters-pro' },
);
export type CreateTaskBody = z.output<typeof createTaskBody>;
