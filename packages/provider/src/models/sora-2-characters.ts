import { z } from 'zod';
import { defineModel } from './define-model.ts';

export const MAX_VIDEO_URL_LENGTH = 2048;
export const MAX_PROMPT_LENGTH = 5000;

/**
 * Text that holds something besides whitespace. A prompt of nothing but spaces describes nothing,
 * yet kie.ai would take it and spend the credits: it is refused like an empty one, and so is a
 * blank safety instruction or user name, which would be sent as if it said something. The text
 * is not trimmed: it is the client's own words, sent and stored as written, and its limit counts
 * what kie.ai gets. As a pattern the rule is in the JSON Schema too.
 */
export function notBlank(schema: z.ZodString, field: string): z.ZodString {
  return schema.regex(/\S/, {
    error: (issue) =>
      String(issue.input).length === 0
        ? `${field} is 0 characters; must be at least 1 (leave ${field} out for none)`
        : `${field} is only whitespace; must have at least 1 character that is not whitespace`,
  });
}

const httpUrl = z
  .string({ error: 'videoUrl is required' })
  .max(MAX_VIDEO_URL_LENGTH, {
    error: (issue) =>
      `videoUrl is ${String(issue.input).length} characters; must be at most ${MAX_VIDEO_URL_LENGTH}`,
  })
  .refine((value) => /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value) && URL.canParse(value), {
    error: 'videoUrl must be an absolute http(s) URL',
  });

const text = (field: string) =>
  z.string().max(MAX_PROMPT_LENGTH, {
    error: (issue) =>
      `${field} is ${String(issue.input).length} characters; must be at most ${MAX_PROMPT_LENGTH}`,
  });

/**
 * What createCharacter takes for this model. Its video is one of two: `videoUrl`, or the file
 * itself as `video` in a GraphQL multipart request, which the gateway checks, stores in kie.ai's
 * file store and hands on as `videoUrl`. Only the URL is a property here: the model needs one, and
 * JSON Schema has no way to say "a file part of a multipart request", so the descriptions say it.
 * (`createCharacter` parses the text fields with `.omit({ videoUrl: true })`, which a refinement
 * across fields would make zod refuse: every rule here stays on its field.)
 */
export const sora2CharactersInput = z
  .object({
    videoUrl: httpUrl.describe(
      `The video to make the character from: an absolute http(s) URL, at most ${MAX_VIDEO_URL_LENGTH} characters, of a 1–4 s MP4, WebM or AVI file of at most 10 MB that kie.ai can fetch. Or leave it out and upload the file as \`video\` (a GraphQL multipart request): the gateway checks it, stores it in kie.ai's file store and sends that URL.`,
    ),
    prompt: notBlank(text('prompt'), 'prompt')
      .optional()
      .describe(
        `Describes the character. Optional; when given, 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
      ),
    safetyInstruction: notBlank(text('safetyInstruction'), 'safetyInstruction')
      .optional()
      .describe(
        `A safety instruction for kie.ai, such as "Family friendly". Optional; when given, 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
      ),
  })
  .describe(
    'The input of createCharacter: the video as videoUrl, or uploaded as the file `video` instead, with an optional prompt and safety instruction.',
  );
export type Sora2CharactersInput = z.output<typeof sora2CharactersInput>;

/** A finished character: the id later Sora 2 generations reference. */
export interface CharacterResult {
  characterId: string;
}

/**
 * kie.ai has documented the result both as `character_id` and as `character_id_list`
 * (a string, or a list, or a JSON-encoded list); any of them names the character.
 */
export function parseCharacterResult(resultJson: string): CharacterResult {
  const parsed: unknown = JSON.parse(resultJson);
  const record = (parsed ?? {}) as Record<string, unknown>;
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

export const sora2Characters = defineModel({
  id: 'sora-2-characters',
  title: 'Sora 2 Characters',
  description:
    'Creates a reusable character from a 1–4 second video (MP4, WebM or AVI, at most 10 MB) and an optional prompt.',
  input: sora2CharactersInput,
  toProviderInput: (input) => ({
    character_file_url: [input.videoUrl],
    ...(input.prompt !== undefined && { character_prompt: input.prompt }),
    ...(input.safetyInstruction !== undefined && { safety_instruction: input.safetyInstruction }),
  }),
  parseResult: parseCharacterResult,
});
