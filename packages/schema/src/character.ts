import {
  type SourceImage as SourceImageShape,
  StopWordsOnlyError,
  searchWords,
} from '@charanim/tasks';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { pageArgs, toConnection } from './connection.ts';
import { findByGlobalId } from './ids.ts';
import { Character, Task } from './refs.ts';
import { VideoConnection } from './video.ts';

const SourceVideo = builder
  .objectRef<{
    url: string;
    format: string | null;
    durationSeconds: number | null;
    sizeBytes: number | null;
    sha256: string | null;
    expiresAt: Date | null;
  }>('SourceVideo')
  .implement({
    description:
      'What a character was made from, as the gateway measured it; what is unknown is null. A video for the Sora 2 models; for a Gemini Omni character its portrait (its images are in `sourceImages`).',
    fields: (t) => ({
      url: t.exposeString('url', {
        description:
          'Where the video is: your URL, the kie.ai file store for an upload, or for a character made by createCharacterFromTask `kie-task:<originTaskId>#t=<start>,<end>`, naming the earlier task and the segment in seconds (it is no address to fetch). For a Gemini Omni character: its portrait.',
      }),
      format: t.exposeString('format', {
        nullable: true,
        description:
          'The container: MP4, MOV, WebM, Matroska or AVI (for a portrait: JPEG, PNG or WebP).',
      }),
      durationSeconds: t.exposeFloat('durationSeconds', { nullable: true }),
      sizeBytes: t.exposeInt('sizeBytes', { nullable: true }),
      sha256: t.exposeString('sha256', {
        nullable: true,
        description: 'Hex SHA-256 of the content.',
      }),
      expiresAt: t.expose('expiresAt', {
        type: 'DateTime',
        nullable: true,
        description:
          'When the URL stops working: 24 hours after an upload (kie.ai keeps uploads that long); unknown for your own URL.',
      }),
    }),
  });

const SourceImage = builder.objectRef<SourceImageShape>('SourceImage').implement({
  description:
    'An image a character was made from, as the gateway measured it; what is unknown is null.',
  fields: (t) => ({
    url: t.exposeString('url', {
      description: 'Where the image is: your URL, or the kie.ai file store for an upload.',
    }),
    format: t.exposeString('format', { nullable: true, description: 'JPEG, PNG or WebP.' }),
    sizeBytes: t.exposeInt('sizeBytes', { nullable: true }),
    sha256: t.exposeString('sha256', {
      nullable: true,
      description: 'Hex SHA-256 of the content.',
    }),
    width: t.exposeInt('width', { nullable: true, description: 'In pixels.' }),
    height: t.exposeInt('height', { nullable: true, description: 'In pixels.' }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the URL stops working: 24 hours after an upload; unknown for your own URL. The character itself lives on at kie.ai.',
      resolve: (image) => (image.expiresAt === null ? null : new Date(image.expiresAt)),
    }),
  }),
});

builder.node(Character, {
  id: { resolve: (character) => character.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'characterId' in value,
  loadOne: (id, ctx) => ctx.characters.find(ctx.viewer.owner, id),
  fields: (t) => ({
    characterId: t.exposeString('characterId', {
      description:
        "kie.ai's character id, which later videos of its family reference (createVideo's `characters` takes this character's `id`).",
    }),
    family: t.exposeString('family', {
      description:
        'The model family that made it (sora-2, …): videos of that family can use it, others cannot.',
    }),
    prompt: t.exposeString('prompt', {
      nullable: true,
      description:
        'The words that describe it, which search finds it by: its prompt (Sora 2) or its description (Gemini Omni).',
    }),
    name: t.exposeString('name', {
      nullable: true,
      description: 'The name it goes by, for the models that take one.',
    }),
    imageUrl: t.exposeString('imageUrl', {
      nullable: true,
      description: 'The picture kie.ai shows of it, when kie.ai gives one (Gemini Omni).',
    }),
    safetyInstruction: t.exposeString('safetyInstruction', { nullable: true }),
    sourceVideoUrl: t.exposeString('sourceVideoUrl', {
      description:
        "`sourceVideo`'s URL: the video it was made from, or a Gemini Omni character's portrait.",
    }),
    sourceImages: t.field({
      type: [SourceImage],
      description:
        'The images it was made from, in order: a portrait, then a full-body shot. Empty for a character made from a video.',
      resolve: (character) => character.sourceImages,
    }),
    expiresAt: t.expose('sourceVideoExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'When the source video URL stops working, and the character with it; null if unknown (and for a Gemini Omni character, which kie.ai keeps by its id).',
    }),
    usable: t.boolean({
      description: 'false once expiresAt has passed.',
      resolve: (character) =>
        character.sourceVideoExpiresAt === null ||
        character.sourceVideoExpiresAt.getTime() > Date.now(),
    }),
    sourceVideo: t.field({
      type: SourceVideo,
      description: 'The video the character was made from; it works only while this URL lives.',
      resolve: (character) => ({
        url: character.sourceVideoUrl,
        format: character.sourceVideoFormat,
        durationSeconds: character.sourceVideoDurationSeconds,
        sizeBytes: character.sourceVideoSizeBytes,
        sha256: character.sourceVideoSha256,
        expiresAt: character.sourceVideoExpiresAt,
      }),
    }),
    task: t.field({
      type: Task,
      resolve: async (character, _args, ctx) => {
        const task = await ctx.tasks.find(character.owner, character.taskId);
        if (!task) throw new Error(`character ${character.id} has no task ${character.taskId}`);
        return task;
      },
    }),
    videos: t.field({
      type: VideoConnection,
      description: 'The videos that used this character, newest first.',
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (character, args, ctx) => {
        const page = pageArgs(args);
        const rows = await ctx.videos.list(character.owner, {
          ...page,
          filter: { characterId: character.id },
        });
        return toConnection(rows, page.after !== undefined, (video) => ({
          node: video,
          position: video,
        }));
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CharacterConnection = builder.connectionObject(
  { type: Character, name: 'CharacterConnection' },
  {
    name: 'CharacterEdge',
    fields: (t) => ({
      highlight: t.string({
        nullable: true,
        description: 'The prompt with the words that matched the search in <mark>…</mark>.',
        resolve: (edge) => (edge as { highlight?: string | null }).highlight ?? null,
      }),
    }),
  },
);

const CharacterOrder = builder.enumType('CharacterOrder', {
  values: ['RELEVANCE', 'NEWEST'] as const,
  description:
    'RELEVANCE (best match, then newest) is the default with a search; NEWEST otherwise.',
});

const CharacterFilter = builder.inputType('CharacterFilter', {
  fields: (t) => ({
    usable: t.boolean({
      description:
        'true: only characters whose source video still works; false: only expired ones.',
    }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  character: t.field({
    type: Character,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      findByGlobalId(String(args.id), 'Character', (id) =>
        ctx.characters.find(ctx.viewer.owner, id),
      ),
  }),
  characters: t.field({
    type: CharacterConnection,
    description:
      'Your characters. `search` keeps those whose prompt has every word, ranked by how each matches: as written, by English stem, as the start of a word, or nearly, for a typo (two adjacent letters swapped, however short the word). Stop words ("a", "the") are ignored; a search of only stop words is refused with BAD_USER_INPUT.',
    args: {
      search: t.arg.string(),
      first: t.arg.int(),
      after: t.arg.string(),
      filter: t.arg({ type: CharacterFilter }),
      orderBy: t.arg({ type: CharacterOrder }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageArgs(args);
      checkSearch(args.search);
      const found = await ctx.characters
        .list(ctx.viewer.owner, {
          ...page,
          search: args.search ?? undefined,
          order: args.orderBy ?? undefined,
          filter: {
            usable: args.filter?.usable ?? undefined,
            createdAfter: args.filter?.createdAfter ?? undefined,
            createdBefore: args.filter?.createdBefore ?? undefined,
          },
        })
        .catch(refusedSearch);
      return toConnection(found, page.after !== undefined, (row) => ({
        node: row.character,
        highlight: row.highlight,
        position: {
          createdAt: row.character.createdAt,
          id: row.character.id,
          ...(row.rank !== null && { rank: row.rank }),
        },
      }));
    },
  }),
}));

const MAX_SEARCH_LENGTH = 500;
const MAX_SEARCH_WORDS = 16;

/** Each word of a search costs a look-up: a search is bounded in length and words. */
function checkSearch(search: string | null | undefined): void {
  if (!search) return;
  const words = searchWords(search)?.length ?? 0;
  const problem =
    search.length > MAX_SEARCH_LENGTH
      ? `search is ${search.length} characters; must be at most ${MAX_SEARCH_LENGTH}`
      : words > MAX_SEARCH_WORDS
        ? `search has ${words} words; must have at most ${MAX_SEARCH_WORDS}`
        : undefined;
  if (problem) {
    throw new GraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT', argument: 'search' } });
  }
}

/** A search of stop words only would keep every character: the caller is told so instead. */
function refusedSearch(error: unknown): never {
  if (!(error instanceof StopWordsOnlyError)) throw error;
  throw new GraphQLError(error.message, {
    extensions: { code: 'BAD_USER_INPUT', argument: 'search' },
  });
}
