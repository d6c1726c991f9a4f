import { z } from 'zod';
import { defineModel } from './define-model.ts';
import { MAX_PROMPT_LENGTH, parseCharacterResult } from './sora-2-characters.ts';

export const MAX_ORIGIN_TASK_ID_LENGTH = 200;
export const MAX_USER_NAME_LENGTH = 40;
export const MIN_SEGMENT_SECONDS = 1;
export const MAX_SEGMENT_SECONDS = 4;

/**
 * A number of seconds in plain decimal notation, without trailing zeros: `1.5`, `3`, `0.25`, and
 * `0.0000001` rather than JavaScript's `1e-7`. The digits are the shortest that name the number.
 */
export function decimalSeconds(seconds: number): string {
  const written = String(seconds);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(written);
  if (!match) return written;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * The length of the segment from `start` to `end`, rid of binary floating-point noise: 2.3 − 1.3
 * is 1 here, not 0.9999999999999998, as anyone reading the two numbers expects.
 */
export function segmentSeconds(start: number, end: number): number {
  return Math.round((end - start) * 1e9) / 1e9;
}

/** A string of at most `max` characters, and at least `min` when one is given. */
function characters(field: string, max: number, min?: number) {
  const base = z.string({ error: `${field} is required` });
  const atLeast =
    min === undefined
      ? base
      : base.min(min, {
          error: (issue) =>
            `${field} is ${String(issue.input).length} characters; must be at least ${min}`,
        });
  return atLeast.max(max, {
    error: (issue) =>
      `${field} is ${String(issue.input).length} characters; must be at most ${max}`,
  });
}

export const sora2CharactersProInput = z
  .object({
    originTaskId: z
      .string({ error: 'originTaskId is required' })
      .min(1, { error: 'originTaskId is required: the id of an earlier kie.ai video task' })
      .max(MAX_ORIGIN_TASK_ID_LENGTH, {
        error: (issue) =>
          `originTaskId is ${String(issue.input).length} characters; must be at most ${MAX_ORIGIN_TASK_ID_LENGTH}`,
      })
      .describe('The id kie.ai gave the earlier video task to take the character from.'),
    startSeconds: z
      .number({ error: 'startSeconds must be a number of seconds' })
      .min(0, {
        error: (issue) =>
          `startSeconds is ${decimalSeconds(Number(issue.input))}; must be at least 0`,
      })
      .describe('Where the segment starts in the earlier video, in seconds.'),
    endSeconds: z
      .number({ error: 'endSeconds must be a number of seconds' })
      .describe(
        `Where the segment ends, in seconds: ${MIN_SEGMENT_SECONDS} to ${MAX_SEGMENT_SECONDS} s after startSeconds.`,
      ),
    prompt: characters('prompt', MAX_PROMPT_LENGTH, 1).describe('Describes the character.'),
    characterUserName: characters('characterUserName', MAX_USER_NAME_LENGTH)
      .optional()
      .describe('The name the character goes by.'),
    safetyInstruction: characters('safetyInstruction', MAX_PROMPT_LENGTH).optional(),
  })
  .superRefine((input, ctx) => {
    const length = segmentSeconds(input.startSeconds, input.endSeconds);
    if (length >= MIN_SEGMENT_SECONDS && length <= MAX_SEGMENT_SECONDS) return;
    ctx.addIssue({
      code: 'custom',
      path: ['endSeconds'],
      input: input.endSeconds,
      message: `the segment is ${decimalSeconds(length)} s (${decimalSeconds(input.startSeconds)} to ${decimalSeconds(input.endSeconds)}); must be between ${MIN_SEGMENT_SECONDS} and ${MAX_SEGMENT_SECONDS} s`,
    });
  });
export type Sora2CharactersProInput = z.output<typeof sora2CharactersProInput>;

/** kie.ai's `timestamps`: `"start,end"` in seconds, such as `"3.55,5.55"`. */
export function timestampsOf(startSeconds: number, endSeconds: number): string {
  return `${decimalSeconds(startSeconds)},${decimalSeconds(endSeconds)}`;
}

export const sora2CharactersPro = defineModel({
  id: 'sora-2-characters-pro',
  title: 'Sora 2 Characters Pro',
  description:
    'Creates a reusable character from a 1–4 second segment of an earlier kie.ai video task, with a prompt and an optional user name.',
  input: sora2CharactersProInput,
  toProviderInput: (input) => ({
    origin_task_id: input.originTaskId,
    timestamps: timestampsOf(input.startSeconds, input.endSeconds),
    character_prompt: input.prompt,
    ...(input.characterUserName !== undefined && {
      character_user_name: input.characterUserName,
    }),
    ...(input.safetyInstruction !== undefined && { safety_instruction: input.safetyInstruction }),
  }),
  parseResult: parseCharacterResult,
});
