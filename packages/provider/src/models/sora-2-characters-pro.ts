import { z } from 'zod';
import { defineTaskModel, type SourceMedia } from './define-model.ts';
import { notBlank, readable, text } from './rules.ts';
import {
  fakeCharacterResult,
  MAX_PROMPT_LENGTH,
  parseCharacterResult,
  SORA_2_CHARACTER_CREDITS,
  SORA_2_FAMILY,
  SORA_2_PAUSED,
  SORA_2_POLL_BOUND_MS,
  wireText,
} from './sora-2-characters.ts';

export const MAX_ORIGIN_TASK_ID_LENGTH = 200;
export const MAX_USER_NAME_LENGTH = 40;
export const MIN_SEGMENT_SECONDS = 1;
export const MAX_SEGMENT_SECONDS = 4;
/**
 * How far into the earlier video a segment may lie, in seconds. Sora 2 videos last seconds: an
 * hour is far past any of them, and a later time (1e308 is a number, not a moment of a video) is a
 * mistake to refuse by name. Up to it, a time with the nanosecond precision the segment's length is
 * rounded to stays exact in a double (3600 s in nanoseconds is 13 digits; a double holds 15).
 */
export const MAX_ORIGIN_SECONDS = 3600;

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
 * A number for a message: as decimalSeconds writes it while that stays short, else in exponent
 * notation with at most 4 significant digits, so that 1e308 reads `1e+308`, not as 309 digits,
 * and 1e-300 not as 300 zeros. Messages only: kie.ai gets decimalSeconds.
 */
export function readableNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size === 0 || (size >= 1e-6 && size < 1e6)) return decimalSeconds(value);
  return value.toExponential(3).replace(/\.?0+e/, 'e');
}

/**
 * The length of the segment from `start` to `end`, rid of binary floating-point noise: 2.3 − 1.3
 * is 1 here, not 0.9999999999999998, as anyone reading the two numbers expects.
 */
export function segmentSeconds(start: number, end: number): number {
  return Math.round((end - start) * 1e9) / 1e9;
}

/** A time in the earlier video: a number of seconds from 0 to MAX_ORIGIN_SECONDS. */
function seconds(field: string) {
  const named = (issue: { input?: unknown }) =>
    `${field} is ${readableNumber(Number(issue.input))}`;
  return z
    .number({
      // GraphQL's Float has no Infinity or NaN; a caller of the plugin itself may pass them.
      error: (issue) =>
        typeof issue.input === 'number'
          ? `${named(issue)}; must be a finite number of seconds`
          : `${field} must be a number of seconds`,
    })
    .min(0, { error: (issue) => `${named(issue)}; must be at least 0` })
    .max(MAX_ORIGIN_SECONDS, {
      error: (issue) => `${named(issue)}; must be at most ${MAX_ORIGIN_SECONDS}`,
    });
}

const withinOrigin = (time: number) => time >= 0 && time <= MAX_ORIGIN_SECONDS;

export const sora2CharactersProInput = z
  .object({
    // Trimmed: whitespace around an id is never part of it (it comes with a copy and paste), and
    // kie.ai would accept the padded id only to fail the task once it looks the video up. Trimmed
    // first, so that an id of nothing but whitespace is refused like an empty one.
    originTaskId: z
      .string({ error: 'originTaskId is required' })
      .trim()
      .min(1, {
        abort: true,
        error: 'originTaskId is required: the id of an earlier kie.ai video task',
      })
      .max(MAX_ORIGIN_TASK_ID_LENGTH, {
        error: (issue) =>
          `originTaskId is ${String(issue.input).length} characters; must be at most ${MAX_ORIGIN_TASK_ID_LENGTH}`,
      })
      .refine(...readable('originTaskId'))
      // Never fails once trimmed; it puts the rule in the JSON Schema, where trimming is not.
      .regex(/\S/)
      .describe(
        'The id kie.ai gave the earlier video task to take the character from; whitespace around it is dropped.',
      ),
    startSeconds: seconds('startSeconds').describe(
      `Where the segment starts in the earlier video, in seconds: 0 to ${MAX_ORIGIN_SECONDS}.`,
    ),
    endSeconds: seconds('endSeconds').describe(
      `Where the segment ends, in seconds: ${MIN_SEGMENT_SECONDS} to ${MAX_SEGMENT_SECONDS} s after startSeconds, and at most ${MAX_ORIGIN_SECONDS}.`,
    ),
    prompt: notBlank(text('prompt', MAX_PROMPT_LENGTH, 1), 'prompt').describe(
      `Describes the character: 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
    ),
    characterUserName: notBlank(
      text('characterUserName', MAX_USER_NAME_LENGTH),
      'characterUserName',
    )
      .optional()
      .describe(
        `The name the character goes by. Optional; when given, 1 to ${MAX_USER_NAME_LENGTH} characters, not only whitespace.`,
      ),
    safetyInstruction: notBlank(text('safetyInstruction', MAX_PROMPT_LENGTH), 'safetyInstruction')
      .optional()
      .describe(
        `A safety instruction for kie.ai, such as "Family friendly". Optional; when given, 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
      ),
  })
  .superRefine((input, ctx) => {
    // A time outside the video has its own issue; a segment measured from it would say nothing.
    if (!withinOrigin(input.startSeconds) || !withinOrigin(input.endSeconds)) return;
    const length = segmentSeconds(input.startSeconds, input.endSeconds);
    if (length >= MIN_SEGMENT_SECONDS && length <= MAX_SEGMENT_SECONDS) return;
    ctx.addIssue({
      code: 'custom',
      path: ['endSeconds'],
      input: input.endSeconds,
      message: `the segment is ${readableNumber(length)} s (${readableNumber(input.startSeconds)} to ${readableNumber(input.endSeconds)}); must be between ${MIN_SEGMENT_SECONDS} and ${MAX_SEGMENT_SECONDS} s`,
    });
  })
  .describe(
    'The input of createCharacterFromTask: a 1–4 s segment of an earlier kie.ai video task, with a prompt.',
  );
export type Sora2CharactersProInput = z.output<typeof sora2CharactersProInput>;

/** kie.ai's `timestamps`: `"start,end"` in seconds, such as `"3.55,5.55"`. */
export function timestampsOf(startSeconds: number, endSeconds: number): string {
  return `${decimalSeconds(startSeconds)},${decimalSeconds(endSeconds)}`;
}

/**
 * The source of a character made from a segment of an earlier kie.ai task: no URL of ours, so one
 * naming the task and the segment (a media fragment), such as `kie-task:task_1#t=1.5,3.5`. Only
 * the length is known.
 */
export function segmentSource(
  originTaskId: string,
  startSeconds: number,
  endSeconds: number,
): SourceMedia {
  return {
    url: `kie-task:${encodeURIComponent(originTaskId)}#t=${timestampsOf(startSeconds, endSeconds)}`,
    format: null,
    durationSeconds: segmentSeconds(startSeconds, endSeconds),
    sizeBytes: null,
    sha256: null,
    expiresAt: null,
  };
}

/** Seconds in decimal notation: `3`, `3.55`. */
const SECONDS = /^\d+(?:\.\d+)?$/;

/** kie.ai's rule for `timestamps`: `"x,y"` in seconds, with a segment of 1 to 4 seconds. */
const wireTimestamps = z.string().refine((value) => {
  const parts = value.split(',');
  if (parts.length !== 2 || !parts.every((part) => SECONDS.test(part))) return false;
  const [start, end] = parts.map(Number) as [number, number];
  const length = segmentSeconds(start, end);
  return length >= MIN_SEGMENT_SECONDS && length <= MAX_SEGMENT_SECONDS;
}, 'must be "x,y" seconds with 1 ≤ y − x ≤ 4');

export const sora2CharactersPro = defineTaskModel({
  id: 'sora-2-characters-pro',
  title: 'Sora 2 Characters Pro',
  description:
    'Creates a reusable character from a 1–4 second segment of an earlier kie.ai video task, with a prompt and an optional user name.',
  family: SORA_2_FAMILY,
  pausedUpstream: SORA_2_PAUSED,
  input: sora2CharactersProInput,
  originTask: { field: 'originTaskId' },
  result: 'character',
  estimateCredits: () => SORA_2_CHARACTER_CREDITS,
  callback: 'optional',
  // An empty input is refused for its missing fields (or as paused) before any task is made.
  emptyRequestIsFree: true,
  pollBoundMs: SORA_2_POLL_BOUND_MS,
  toProviderInput: (input) => ({
    origin_task_id: input.originTaskId,
    timestamps: timestampsOf(input.startSeconds, input.endSeconds),
    character_prompt: input.prompt,
    ...(input.characterUserName !== undefined && {
      character_user_name: input.characterUserName,
    }),
    ...(input.safetyInstruction !== undefined && { safety_instruction: input.safetyInstruction }),
  }),
  describeCharacter: (input) => ({
    prompt: input.prompt,
    safetyInstruction: input.safetyInstruction ?? null,
    source: segmentSource(input.originTaskId, input.startSeconds, input.endSeconds),
  }),
  parseResult: parseCharacterResult,
  emulator: {
    request: z.object({
      origin_task_id: z.string().min(1, 'is required'),
      timestamps: wireTimestamps,
      character_prompt: wireText(MAX_PROMPT_LENGTH).min(1, 'is required'),
      character_user_name: wireText(MAX_USER_NAME_LENGTH).optional(),
      safety_instruction: wireText(MAX_PROMPT_LENGTH).optional(),
    }),
    fakeResult: fakeCharacterResult,
  },
});
