import { z } from 'zod';
import { defineModel } from './define-model.ts';

export const MAX_VIDEO_URL_LENGTH = 2048;
export const MAX_PROMPT_LENGTH = 5000;

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
  z
    .string()
    .max(MAX_PROMPT_LENGTH, {
      error: (issue) =>
        `${field} is ${String(issue.input).length} characters; must be at most ${MAX_PROMPT_LENGTH}`,
    })
    .optional();

export const sora2CharactersInput = z.object({
  videoUrl: httpUrl,
  prompt: text('prompt'),
  safetyInstruction: text('safetyInstruction'),
});
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
