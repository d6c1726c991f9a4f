import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineTaskModel } from './define-model.ts';
import { parseVideoResult } from './results.ts';
import { notBlank, text } from './rules.ts';
import {
  SORA_2_FAMILY,
  SORA_2_PAUSED,
  SORA_2_POLL_BOUND_MS,
  wireText,
} from './sora-2-characters.ts';

export const MAX_SORA_VIDEO_PROMPT_LENGTH = 10_000;
export const MAX_SORA_VIDEO_CHARACTERS = 5;
export const soraAspectRatios = ['portrait', 'landscape'] as const;
/** kie.ai's `n_frames`: the length of the video in seconds, sent as a string. */
export const soraDurations = [10, 15] as const;

/**
 * No price of this model is documented in kie-api.md or kie-models.md: 3 credits a second (30 for
 * the default 10 s) is our figure, of the order kie.ai charged for Sora 2 videos before the pause.
 * A task is settled from what kie.ai reports, so only the reservation rests on it.
 */
const SORA_VIDEO_CREDITS_PER_SECOND = 3;

const input = z
  .object({
    prompt: notBlank(text('prompt', MAX_SORA_VIDEO_PROMPT_LENGTH, 1), 'prompt').describe(
      `What happens in the video: 1 to ${MAX_SORA_VIDEO_PROMPT_LENGTH} characters, not only whitespace.`,
    ),
    characters: z
      .array(z.string(), { error: 'characters must be a list of character ids' })
      .max(MAX_SORA_VIDEO_CHARACTERS, {
        error: (issue) =>
          `characters has ${(issue.input as unknown[]).length} ids; must have at most ${MAX_SORA_VIDEO_CHARACTERS}`,
      })
      .optional()
      .describe(
        `Ids of your Sora 2 characters (from createCharacter or createCharacterFromTask) to appear in the video: at most ${MAX_SORA_VIDEO_CHARACTERS}.`,
      ),
    aspectRatio: z
      .enum(soraAspectRatios, {
        error: (issue) =>
          `aspectRatio is ${JSON.stringify(issue.input)}; must be portrait or landscape`,
      })
      .optional()
      .describe('portrait or landscape (kie.ai’s default: landscape).'),
    durationSeconds: z
      .literal(soraDurations, {
        error: (issue) => `durationSeconds is ${String(issue.input)}; must be 10 or 15`,
      })
      .optional()
      .describe('The length of the video: 10 or 15 seconds (kie.ai’s default: 10).'),
    removeWatermark: z.boolean().optional().describe('Whether kie.ai removes the Sora watermark.'),
  })
  .describe('The input of createVideo for sora-2-text-to-video.');

export const sora2TextToVideo = defineTaskModel({
  id: 'sora-2-text-to-video',
  title: 'Sora 2 Text to Video',
  description:
    'Makes a 10 or 15 second video from a prompt, with up to 5 of your Sora 2 characters in it.',
  family: SORA_2_FAMILY,
  pausedUpstream: SORA_2_PAUSED,
  input,
  characters: { family: SORA_2_FAMILY, max: MAX_SORA_VIDEO_CHARACTERS },
  result: 'video',
  estimateCredits: (given) => SORA_VIDEO_CREDITS_PER_SECOND * (given.durationSeconds ?? 10),
  callback: 'optional',
  // An empty input is refused for its missing fields (or as paused) before any task is made.
  emptyRequestIsFree: true,
  pollBoundMs: SORA_2_POLL_BOUND_MS,
  toProviderInput: (given, { characters }) => ({
    prompt: given.prompt,
    ...(given.aspectRatio !== undefined && { aspect_ratio: given.aspectRatio }),
    ...(given.durationSeconds !== undefined && { n_frames: String(given.durationSeconds) }),
    ...(given.removeWatermark !== undefined && { remove_watermark: given.removeWatermark }),
    ...(characters.length > 0 && {
      character_id_list: characters.map((character) => character.characterId),
    }),
  }),
  parseResult: parseVideoResult,
  emulator: {
    request: z.object({
      prompt: wireText(MAX_SORA_VIDEO_PROMPT_LENGTH).min(1, 'is required'),
      aspect_ratio: z.enum(soraAspectRatios).optional(),
      n_frames: z.enum(['10', '15']).optional(),
      remove_watermark: z.boolean().optional(),
      character_id_list: z.array(z.string().min(1)).max(MAX_SORA_VIDEO_CHARACTERS).optional(),
    }),
    fakeResult: ({ filesUrl }) => ({
      resultUrls: [`${filesUrl}/results/${randomBytes(6).toString('hex')}.mp4`],
    }),
  },
});
