import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineImmediateModel } from './define-model.ts';
import { httpUrl, notBlank, text } from './rules.ts';
import { wireUrl } from './sora-2-characters.ts';

/** The family of the Gemini Omni models: their videos reference characters of this family. */
export const GEMINI_OMNI_FAMILY = 'gemini-omni';
export const MAX_OMNI_DESCRIPTION_LENGTH = 5000;
export const MAX_OMNI_NAME_LENGTH = 100;
export const MAX_IMAGE_URL_LENGTH = 2048;

const imageRule = 'a JPEG, PNG or WebP image of at most 20 MB';

const input = z
  .object({
    description: notBlank(
      text('description', MAX_OMNI_DESCRIPTION_LENGTH, 1),
      'description',
    ).describe(
      `Describes the character: who it is and how it looks. 1 to ${MAX_OMNI_DESCRIPTION_LENGTH} characters, not only whitespace; search finds the character by it.`,
    ),
    name: notBlank(text('name', MAX_OMNI_NAME_LENGTH), 'name')
      .optional()
      .describe(
        `The name the character goes by, which your prompts can use. Optional; when given, 1 to ${MAX_OMNI_NAME_LENGTH} characters, not only whitespace.`,
      ),
    portraitUrl: httpUrl('portraitUrl', MAX_IMAGE_URL_LENGTH).describe(
      `A portrait of the character: an absolute http(s) URL of ${imageRule} that kie.ai can fetch (about 1080 px JPEGs work best). Or leave it out and upload the file as \`portrait\`.`,
    ),
    fullBodyUrl: httpUrl('fullBodyUrl', MAX_IMAGE_URL_LENGTH)
      .optional()
      .describe(
        `Optional: a full-body shot of the character, as a URL of ${imageRule}, or uploaded as \`fullBody\`. Counts as a second image in a video's quota.`,
      ),
  })
  .describe(
    'The input of createCharacter for gemini-omni-character: a description, an optional name, a portrait and an optional full-body shot (URLs or uploads).',
  );

/** What kie.ai answers: the character at once. */
const answer = z.object({
  characterId: z.string().min(1),
  imageUrl: z.string().min(1).optional().catch(undefined),
});

const imageFile = (replaces: string, what: string) => ({
  replaces,
  media: 'image' as const,
  uploadPath: 'characters/images',
  description: `${what} itself, as a GraphQL multipart request part (${imageRule}; checked from its bytes before anything is sent). Give this or ${replaces}.`,
});

export const geminiOmniCharacter = defineImmediateModel({
  id: 'gemini-omni-character',
  title: 'Gemini Omni Character',
  description:
    'Creates a reusable character at once from a description and a portrait (and an optional full-body shot), for Gemini Omni videos. Free.',
  family: GEMINI_OMNI_FAMILY,
  input,
  files: {
    portrait: imageFile('portraitUrl', 'The portrait'),
    fullBody: imageFile('fullBodyUrl', 'The full-body shot'),
  },
  result: 'character',
  // kie-models.md: creation is free.
  estimateCredits: () => 0,
  path: '/api/v1/omni/character/create',
  operation: 'omniCharacter',
  describeCharacter: (given) => ({
    prompt: given.description,
    name: given.name ?? null,
    safetyInstruction: null,
  }),
  toProviderBody: (given) => ({
    descriptions: given.description,
    image_urls: [
      given.portraitUrl,
      ...(given.fullBodyUrl === undefined ? [] : [given.fullBodyUrl]),
    ],
    ...(given.name !== undefined && { character_name: given.name }),
  }),
  parseAnswer: (data) => {
    const parsed = answer.safeParse(data);
    if (!parsed.success) throw new Error('the answer names no characterId');
    return parsed.data;
  },
  emulator: {
    request: z.object({
      descriptions: z.string().min(1, 'is required'),
      image_urls: z
        .array(wireUrl, { error: 'is required' })
        .min(1, 'is required')
        .max(2, 'must hold at most 2 images'),
      character_name: z.string().optional(),
      audio_ids: z.array(z.string()).optional(),
    }),
    answer: (body) => {
      const images = body.image_urls as string[];
      const characterId = `omni_${randomBytes(8).toString('hex')}`;
      return {
        data: {
          characterId,
          characterName: (body.character_name as string | undefined) ?? '',
          imageUrl: images[0],
        },
        character: { id: characterId, imageCount: images.length },
      };
    },
  },
});
