import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineTaskModel, type References } from './define-model.ts';
import { GEMINI_OMNI_FAMILY, MAX_IMAGE_URL_LENGTH } from './gemini-omni-character.ts';
import { parseVideoResult } from './results.ts';
import { httpUrl, notBlank, text } from './rules.ts';
import { wireText, wireUrl } from './sora-2-characters.ts';

export const MAX_OMNI_PROMPT_LENGTH = 20_000;
export const MAX_OMNI_CHARACTERS = 3;
export const MAX_OMNI_IMAGES = 7;
/** kie.ai's quota of references: images × 1 + videos × 2 + characters × 1 (see the check). */
export const OMNI_REFERENCE_QUOTA = 7;
export const MAX_SEED = 2_147_483_647;
export const omniDurations = [4, 6, 8, 10] as const;
export const omniAspectRatios = ['16:9', '9:16'] as const;
/** Successes took 136–501 s and failures came after up to 805 s (kie-models.md). */
export const OMNI_POLL_BOUND_MS = 20 * 60_000;

/**
 * kie.ai's price by length (kie-models.md): 63–126 credits at 360p–1080p; 4k 147–210, whose
 * lengths between the two ends we price on the same step of 21 credits.
 */
const omniPrices: Record<'standard' | '4k', Record<(typeof omniDurations)[number], number>> = {
  standard: { 4: 63, 6: 84, 8: 105, 10: 126 },
  '4k': { 4: 147, 6: 168, 8: 189, 10: 210 },
};

/** What the quota counts for a character: one integrator saw a two-image character count 2. */
function weightOf(imageCount: number): number {
  return imageCount >= 2 ? 2 : 1;
}

/** The references of an input as kie.ai's quota counts them, and what it counted. */
function quotaOf(images: number, characterWeights: number[]): { total: number; detail: string } {
  const forCharacters = characterWeights.reduce((sum, weight) => sum + weight, 0);
  const parts = [
    `${images} image${images === 1 ? '' : 's'}`,
    `${forCharacters} for ${characterWeights.length} character${characterWeights.length === 1 ? '' : 's'}`,
  ];
  return { total: images + forCharacters, detail: parts.join(' + ') };
}

const quotaRule = `must be at most ${OMNI_REFERENCE_QUOTA} (an image counts 1, a character 1, a character made from two images 2)`;

/** A Gemini Omni video model: the flash model also takes 360p. */
function omniVideoModel(options: {
  id: string;
  title: string;
  description: string;
  resolutions: readonly [string, ...string[]];
}) {
  const { resolutions } = options;
  const input = z
    .object({
      prompt: notBlank(text('prompt', MAX_OMNI_PROMPT_LENGTH, 1), 'prompt').describe(
        `What happens in the video; name your characters as you named them. 1 to ${MAX_OMNI_PROMPT_LENGTH} characters, not only whitespace.`,
      ),
      characters: z
        .array(z.string(), { error: 'characters must be a list of character ids' })
        .max(MAX_OMNI_CHARACTERS, {
          error: (issue) =>
            `characters has ${(issue.input as unknown[]).length} ids; must have at most ${MAX_OMNI_CHARACTERS}`,
        })
        .optional()
        .describe(
          `Ids of your Gemini Omni characters (createCharacter with gemini-omni-character) to appear in the video: at most ${MAX_OMNI_CHARACTERS}.`,
        ),
      durationSeconds: z
        .literal(omniDurations, {
          error: (issue) =>
            issue.input === undefined
              ? 'durationSeconds is required: 4, 6, 8 or 10'
              : `durationSeconds is ${String(issue.input)}; must be 4, 6, 8 or 10`,
        })
        .describe('The length of the video: 4, 6, 8 or 10 seconds (the price grows with it).'),
      aspectRatio: z
        .enum(omniAspectRatios, {
          error: (issue) => `aspectRatio is ${JSON.stringify(issue.input)}; must be 16:9 or 9:16`,
        })
        .optional()
        .describe('16:9 or 9:16.'),
      resolution: z
        .enum(resolutions, {
          error: (issue) =>
            `resolution is ${JSON.stringify(issue.input)}; ${options.id} takes ${resolutions.join(', ')}`,
        })
        .optional()
        .describe(`${resolutions.join(', ')}.`),
      images: z
        .array(httpUrl('images', MAX_IMAGE_URL_LENGTH), {
          error: 'images must be a list of image URLs',
        })
        .max(MAX_OMNI_IMAGES, {
          error: (issue) =>
            `images has ${(issue.input as unknown[]).length} URLs; must have at most ${MAX_OMNI_IMAGES}`,
        })
        .optional()
        .describe(
          `Optional reference images: absolute http(s) URLs of JPEG, PNG or WebP images of at most 20 MB, at most ${MAX_OMNI_IMAGES}. With the characters they count against kie.ai's quota of ${OMNI_REFERENCE_QUOTA}.`,
        ),
      seed: z
        .number({ error: 'seed must be a whole number' })
        .int({ error: 'seed must be a whole number' })
        .min(0, { error: (issue) => `seed is ${String(issue.input)}; must be at least 0` })
        .max(MAX_SEED, {
          error: (issue) => `seed is ${String(issue.input)}; must be at most ${MAX_SEED}`,
        })
        .optional()
        .describe(`Optional: the same seed and input give a similar video. 0 to ${MAX_SEED}.`),
    })
    .describe(`The input of createVideo for ${options.id}.`);
  type Input = z.output<typeof input>;

  return defineTaskModel({
    ...options,
    family: GEMINI_OMNI_FAMILY,
    input,
    characters: { family: GEMINI_OMNI_FAMILY, max: MAX_OMNI_CHARACTERS },
    check: (given: Input, { characters }: References) => {
      const images = given.images?.length ?? 0;
      const quota = quotaOf(
        images,
        characters.map((character) => weightOf(character.imageCount)),
      );
      if (quota.total <= OMNI_REFERENCE_QUOTA) return undefined;
      return {
        field: images > 0 ? 'images' : 'characters',
        message: `images and characters count ${quota.total} against kie.ai's quota (${quota.detail}); ${quotaRule}`,
      };
    },
    result: 'video',
    estimateCredits: (given: Input) =>
      omniPrices[given.resolution === '4k' ? '4k' : 'standard'][given.durationSeconds],
    callback: 'optional',
    pollBoundMs: OMNI_POLL_BOUND_MS,
    toProviderInput: (given, { characters }) => ({
      prompt: given.prompt,
      duration: String(given.durationSeconds),
      ...(characters.length > 0 && {
        character_ids: characters.map((character) => character.characterId),
      }),
      ...(given.aspectRatio !== undefined && { aspect_ratio: given.aspectRatio }),
      ...(given.resolution !== undefined && { resolution: given.resolution }),
      ...(given.images !== undefined && given.images.length > 0 && { image_urls: given.images }),
      ...(given.seed !== undefined && { seed: given.seed }),
    }),
    parseResult: parseVideoResult,
    adviseOnFailure: ({ code, message }, given) =>
      (given.characters?.length ?? 0) > 0 && (code === '500' || /internal error/i.test(message))
        ? 'kie.ai has failed videos of newly made characters this way: make the character again (createCharacter with gemini-omni-character is free) and try the video with the new one'
        : undefined,
    emulator: {
      request: z.object({
        prompt: wireText(MAX_OMNI_PROMPT_LENGTH).min(1, 'is required'),
        duration: z.enum(['4', '6', '8', '10'], {
          error: 'must be one of the strings "4", "6", "8", "10"',
        }),
        character_ids: z
          .array(z.string())
          .max(MAX_OMNI_CHARACTERS, 'must hold at most 3 characters')
          .optional(),
        image_urls: z.array(wireUrl).max(MAX_OMNI_IMAGES, 'must hold at most 7 images').optional(),
        audio_ids: z.array(z.string()).max(3, 'must hold at most 3 audios').optional(),
        aspect_ratio: z.enum(omniAspectRatios).optional(),
        resolution: z.enum(resolutions).optional(),
        seed: z.number().int().min(0).max(MAX_SEED).optional(),
      }),
      check: (body, world) => {
        const images = (body.image_urls as unknown[] | undefined)?.length ?? 0;
        const ids = (body.character_ids as string[] | undefined) ?? [];
        const quota = quotaOf(
          images,
          ids.map((id) => weightOf(world.imageCountOf(id) ?? 1)),
        );
        return quota.total > OMNI_REFERENCE_QUOTA
          ? `the references count ${quota.total} (${quota.detail}); must be at most ${OMNI_REFERENCE_QUOTA}`
          : undefined;
      },
      fakeResult: ({ filesUrl }) => ({
        resultUrls: [`${filesUrl}/results/${randomBytes(6).toString('hex')}.mp4`],
      }),
    },
  });
}

export const geminiOmniFlash = omniVideoModel({
  id: 'google/gemini-omni-flash-1-1',
  title: 'Gemini Omni Flash 1.1',
  description:
    'Makes a 4–10 second video from a prompt with up to 3 of your Gemini Omni characters: the faster model, and the only one that also makes 360p. 63–126 credits by length.',
  resolutions: ['360p', '720p', '1080p', '4k'],
});

export const geminiOmniVideo = omniVideoModel({
  id: 'gemini-omni-video',
  title: 'Gemini Omni Video',
  description:
    'Makes a 4–10 second video from a prompt with up to 3 of your Gemini Omni characters, at 720p, 1080p or 4k. 63–126 credits by length at up to 1080p.',
  resolutions: ['720p', '1080p', '4k'],
});
