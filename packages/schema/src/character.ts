import { findCharacter, findTask, listCharacters, StopWordsOnlyError } from '@charanim/db';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { pageArgs, toConnection } from './connection.ts';
import { type CreateCharacterSuccessShape, createCharacter } from './create-character.ts';
import { ProviderError, RateLimitedError, rateLimitedError, ValidationError } from './errors.ts';
import { findByGlobalId, isRowId } from './ids.ts';
import { Character, Task } from './refs.ts';

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
    description: 'A character video as the gateway measured it; what is unknown is null.',
    fields: (t) => ({
      url: t.exposeString('url', {
        description:
          'Where the video is: your URL, the kie.ai file store for an upload, or for a character made by createCharacterFromTask `kie-task:<originTaskId>#t=<start>,<end>`, naming the earlier task and the segment in seconds (it is no address to fetch).',
      }),
      format: t.exposeString('format', {
        nullable: true,
        description: 'The container: MP4, MOV, WebM, Matroska or AVI.',
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
          'When the URL stops working: 3 days after an upload; unknown for your own URL.',
      }),
    }),
  });

builder.node(Character, {
  id: { resolve: (character) => character.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'characterId' in value,
  loadOne: (id, ctx) => (isRowId(id) ? findCharacter(ctx.db, ctx.viewer.owner, id) : undefined),
  fields: (t) => ({
    characterId: t.exposeString('characterId', {
      description: "kie.ai's character id, for `character_id_list` in later Sora 2 generations.",
    }),
    prompt: t.exposeString('prompt', { nullable: true }),
    safetyInstruction: t.exposeString('safetyInstruction', { nullable: true }),
    sourceVideoUrl: t.exposeString('sourceVideoUrl'),
    expiresAt: t.expose('sourceVideoExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'When the source video URL stops working, and the character with it; null if unknown.',
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
        const task = await findTask(ctx.db, character.owner, character.taskId);
        if (!task) throw new Error(`character ${character.id} has no task ${character.taskId}`);
        return task;
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
        findCharacter(ctx.db, ctx.viewer.owner, id),
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
      const found = await listCharacters(ctx.db, ctx.viewer.owner, {
        ...page,
        search: args.search ?? undefined,
        order: args.orderBy ?? undefined,
        filter: {
          usable: args.filter?.usable ?? undefined,
          createdAfter: args.filter?.createdAfter ?? undefined,
          createdBefore: args.filter?.createdBefore ?? undefined,
        },
      }).catch(refusedSearch);
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

const CreateCharacterInput = builder.inputType('CreateCharacterInput', {
  fields: (t) => ({
    videoUrl: t.string({
      description:
        'An absolute http(s) URL of the video (MP4, WebM or AVI, 1–4 s, at most 10 MB). Give this or video.',
    }),
    video: t.field({
      type: 'File',
      description:
        'The video itself, as a GraphQL multipart request part (MP4, WebM or AVI, 1–4 s, at most 10 MB). Give this or videoUrl.',
    }),
    prompt: t.string({
      description:
        'Describes the character. Optional; when given, 1 to 5000 characters, not only whitespace.',
    }),
    safetyInstruction: t.string({
      description:
        'A safety instruction for kie.ai, such as "Family friendly". Optional; when given, 1 to 5000 characters, not only whitespace.',
    }),
    idempotencyKey: t.string({
      description:
        'Up to 200 characters of your choosing. Repeating a request with the same key and input returns the same task and makes no second provider call; the same key with another input is a ValidationError.',
    }),
  }),
});

const CreateCharacterSuccess = builder
  .objectRef<CreateCharacterSuccessShape>('CreateCharacterSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'CreateCharacterSuccess',
    fields: (t) => ({ task: t.expose('task', { type: Task }) }),
  });

export const CreateCharacterResult = builder.unionType('CreateCharacterResult', {
  types: [CreateCharacterSuccess, ValidationError, ProviderError, RateLimitedError],
});

builder.mutationFields((t) => ({
  createCharacter: t.field({
    type: CreateCharacterResult,
    description:
      'Validates the input, records the task and hands it to kie.ai; follow it with `taskUpdated`.',
    args: { input: t.arg({ type: CreateCharacterInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const wait = await ctx.takeMutation(ctx.viewer.owner);
      return wait === undefined ? createCharacter(input, ctx) : rateLimitedError(wait);
    },
  }),
}));

const MAX_SEARCH_LENGTH = 500;
const MAX_SEARCH_WORDS = 16;

/** Each word of a search costs a look-up: a search is bounded in length and words. */
function checkSearch(search: string | null | undefined): void {
  if (!search) return;
  const words = search.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
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
