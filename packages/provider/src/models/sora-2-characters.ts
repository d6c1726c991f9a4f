import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineTaskModel, type FakeResultOptions } from './define-model.ts';
import { type CharacterResult, jsonObject } from './results.ts';
import { httpUrl, isHttpUrl, notBlank, text } from './rules.ts';

export const MAX_VIDEO_URL_LENGTH = 2048;
export const MAX_PROMPT_LENGTH = 5000;
/** The family of the Sora 2 models: their videos reference characters of this family. */
export const SORA_2_FAMILY = 'sora-2';
/** What kie.ai answers for every Sora 2 model since 2026-06-11 (kie-api.md). */
export const SORA_2_PAUSED =
  'kie.ai has paused every Sora 2 model since 2026-06-11, and OpenAI shut the Sora 2 API down on 2026-09-24: kie.ai refuses new tasks with "This interface is temporarily paused". Use the Gemini Omni models instead.';
/** kie.ai's guidance: poll with backoff, and stop after about 15 minutes. */
export const SORA_2_POLL_BOUND_MS = 15 * 60_000;

/**
 * What createCharacter takes for this model. Its video is one of two: `videoUrl`, or the file
 * itself as `video` in a GraphQL multipart request, which the gateway checks, stores in kie.ai's
 * file store and hands on as `videoUrl`. The properties keep this order: an idempotency key's
 * fingerprint lists the values in it, as it always has.
 */
export const sora2CharactersInput = z
  .object({
    prompt: notBlank(text('prompt', MAX_PROMPT_LENGTH), 'prompt')
      .optional()
      .describe(
        `Describes the character. Optional; when given, 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
      ),
    safetyInstruction: notBlank(text('safetyInstruction', MAX_PROMPT_LENGTH), 'safetyInstruction')
      .optional()
      .describe(
        `A safety instruction for kie.ai, such as "Family friendly". Optional; when given, 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
      ),
    videoUrl: httpUrl('videoUrl', MAX_VIDEO_URL_LENGTH).describe(
      `The video to make the character from: an absolute http(s) URL, at most ${MAX_VIDEO_URL_LENGTH} characters, of a 1–4 s MP4, WebM or AVI file of at most 10 MB that kie.ai can fetch. Or leave it out and upload the file as \`video\` (a GraphQL multipart request): the gateway checks it, stores it in kie.ai's file store and sends that URL.`,
    ),
  })
  .describe(
    'The input of createCharacter: the video as videoUrl, or uploaded as the file `video` instead, with an optional prompt and safety instruction.',
  );
export type Sora2CharactersInput = z.output<typeof sora2CharactersInput>;

/**
 * kie.ai has documented the result both as `character_id` and as `character_id_list`
 * (a string, or a list, or a JSON-encoded list); any of them names the character.
 */
export function parseCharacterResult(resultJson: string): CharacterResult {
  const record = jsonObject(resultJson);
  const ids = [record.character_id, ...idList(record.character_id_list)].filter(
    (id): id is string => typeof id === 'string' && id.length > 0,
  );
  const [characterId] = ids;
  if (characterId === undefined) throw new Error('resultJson names no character id');
  return { characterId };
}

function idList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [];
  if (value.trimStart().startsWith('[')) {
    try {
      const list: unknown = JSON.parse(value);
      if (Array.isArray(list)) return list;
    } catch {
      // not JSON after all: the string itself is the id
    }
  }
  return [value];
}

/** The documented forms of a character result, for the emulator to answer in. */
export const characterResultForms = [
  'character_id',
  'character_id_list',
  'character_id_list_array',
] as const;
export type CharacterResultForm = (typeof characterResultForms)[number];

/** A character result in one of its documented forms, with a fresh id. */
export function fakeCharacterResult({ variant }: FakeResultOptions): Record<string, unknown> {
  const form = variant ?? 'character_id';
  const characterId = `char_${randomBytes(6).toString('hex')}`;
  if (form === 'character_id_list') return { character_id_list: characterId };
  if (form === 'character_id_list_array') return { character_id_list: [characterId] };
  return { character_id: characterId };
}

/**
 * What a Sora 2 character costs: kie-api.md's callback of a sora-2-characters task says
 * `consumeCredits: 10`, the only figure documented for the Sora 2 character models.
 */
export const SORA_2_CHARACTER_CREDITS = 10;

/** A URL as kie.ai checks one: any absolute http(s) URL. */
export const wireUrl = z.string().refine(isHttpUrl, 'must be an http(s) URL');
/** Text as kie.ai checks it: a length limit. */
export const wireText = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const sora2Characters = defineTaskModel({
  id: 'sora-2-characters',
  title: 'Sora 2 Characters',
  description:
    'Creates a reusable character from a 1–4 second video (MP4, WebM or AVI, at most 10 MB) and an optional prompt.',
  family: SORA_2_FAMILY,
  pausedUpstream: SORA_2_PAUSED,
  input: sora2CharactersInput,
  files: {
    video: {
      replaces: 'videoUrl',
      media: 'video',
      uploadPath: 'characters',
      description:
        'The video itself, as a GraphQL multipart request part (MP4, WebM or AVI, 1–4 s, at most 10 MB). Give this or videoUrl.',
    },
  },
  result: 'character',
  estimateCredits: () => SORA_2_CHARACTER_CREDITS,
  callback: 'optional',
  // An empty input is refused for its missing fields (or as paused) before any task is made.
  emptyRequestIsFree: true,
  pollBoundMs: SORA_2_POLL_BOUND_MS,
  toProviderInput: (input) => ({
    character_file_url: [input.videoUrl],
    ...(input.prompt !== undefined && { character_prompt: input.prompt }),
    ...(input.safetyInstruction !== undefined && { safety_instruction: input.safetyInstruction }),
  }),
  describeCharacter: (input) => ({
    prompt: input.prompt ?? null,
    safetyInstruction: input.safetyInstruction ?? null,
  }),
  parseResult: parseCharacterResult,
  emulator: {
    request: z.object({
      character_file_url: z.array(wireUrl).length(1, 'must hold exactly one video URL'),
      character_prompt: wireText(MAX_PROMPT_LENGTH).optional(),
      safety_instruction: wireText(MAX_PROMPT_LENGTH).optional(),
    }),
    fakeResult: fakeCharacterResult,
  },
});
