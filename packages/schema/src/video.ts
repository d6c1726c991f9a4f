import { builder } from './builder.ts';
import { pageArgs, toConnection, totalCount } from './connection.ts';
import {
  BudgetExceededError,
  ProviderError,
  RateLimitedError,
  ValidationError,
  withProviderErrors,
} from './errors.ts';
import { findByGlobalId, rowIdOf } from './ids.ts';
import { modelInputType } from './model-input.ts';
import { Character, Task, Video } from './refs.ts';
import { modelsOf } from './served-models.ts';
import { type CreateOutcome, create, submitFor } from './submission.ts';

const videoModels = modelsOf('createVideo');

builder.node(Video, {
  id: { resolve: (video) => video.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'urls' in value,
  loadOne: (id, ctx) => ctx.videos.find(ctx.viewer.owner, id),
  description:
    'A video a task made. kie.ai keeps the file for 14 days: keep a copy if you need it longer.',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'The video file, while kie.ai keeps it.' }),
    urls: t.exposeStringList('urls', {
      description: 'Every file kie.ai made for the task, the video first.',
    }),
    model: t.exposeString('model', { description: 'The model that made it.' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When kie.ai deletes the files: 14 days after the task finished.',
    }),
    usable: t.boolean({
      description: 'false once expiresAt has passed.',
      resolve: (video) => video.expiresAt === null || video.expiresAt.getTime() > Date.now(),
    }),
    downloadUrl: t.string({
      nullable: true,
      description:
        "A fresh link to the video file, asked of kie.ai (its download-url endpoint) each time it is read and valid 20 minutes: for a download, where `url` may need kie.ai's own session. Null once the video is no longer usable. kie.ai failing to give one is an error on this field, with the provider's code.",
      resolve: async (video, _args, ctx) =>
        (await withProviderErrors(() => ctx.videos.downloadUrl(video))) ?? null,
    }),
    task: t.field({
      type: Task,
      resolve: async (video, _args, ctx) => {
        const task = await ctx.tasks.find(video.owner, video.taskId);
        if (!task) throw new Error(`video ${video.id} has no task ${video.taskId}`);
        return task;
      },
    }),
    characters: t.field({
      type: [Character],
      description: 'The characters the video used, in the order the task named them.',
      resolve: (video, _args, ctx) => ctx.characters.ofVideo(video.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const VideoConnection = builder.connectionObject({
  type: Video,
  name: 'VideoConnection',
  fields: (t) => ({ totalCount: t.int(totalCount) }),
});

const VideoFilter = builder.inputType('VideoFilter', {
  fields: (t) => ({
    model: t.string({ description: 'Only the videos of this model.' }),
    character: t.id({ description: 'Only the videos that used this character.' }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

/** No character has this id: a filter by it matches nothing, as an unknown id should. */
const NO_CHARACTER = '00000000-0000-0000-0000-000000000000';

builder.queryFields((t) => ({
  video: t.field({
    type: Video,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      findByGlobalId(String(args.id), 'Video', (id) => ctx.videos.find(ctx.viewer.owner, id)),
  }),
  videos: t.field({
    type: VideoConnection,
    description: 'Your videos, newest first.',
    args: { first: t.arg.int(), after: t.arg.string(), filter: t.arg({ type: VideoFilter }) },
    resolve: async (_root, args, ctx) => {
      const page = pageArgs(args);
      const character = args.filter?.character;
      const filter = {
        model: args.filter?.model ?? undefined,
        characterId:
          character === null || character === undefined
            ? undefined
            : (rowIdOf(String(character), 'Character') ?? NO_CHARACTER),
        createdAfter: args.filter?.createdAfter ?? undefined,
        createdBefore: args.filter?.createdBefore ?? undefined,
      };
      const rows = await ctx.videos.list(ctx.viewer.owner, { ...page, filter });
      return toConnection(
        rows,
        page.after !== undefined,
        (video) => ({ node: video, position: video }),
        () => ctx.videos.count(ctx.viewer.owner, filter),
      );
    },
  }),
}));

const CreateVideoSuccess = builder
  .objectRef<CreateOutcome<'CreateVideoSuccess'> & { kind: 'CreateVideoSuccess' }>(
    'CreateVideoSuccess',
  )
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'CreateVideoSuccess',
    fields: (t) => ({ task: t.expose('task', { type: Task }) }),
  });

const CreateVideoResult = builder.unionType('CreateVideoResult', {
  types: [
    CreateVideoSuccess,
    ValidationError,
    ProviderError,
    RateLimitedError,
    BudgetExceededError,
  ],
});

const CreateVideoInput = modelInputType(
  'CreateVideoInput',
  'A video made by one of the video models (`model`). Each field says which models take it; `models { inputSchema }` gives each model’s exact rules.',
  videoModels,
  {
    model: {
      type: 'String',
      required: true,
      description: `The video model${videoModels.length > 0 ? `: ${videoModels.map((model) => model.id).join(', ')}` : ''}.`,
    },
  },
);

/** Characters come as global ids; the task core takes our row ids (an unknown id stays as given). */
function withRowIds(input: Record<string, unknown>): Record<string, unknown> {
  const { characters } = input;
  if (!Array.isArray(characters)) return input;
  return {
    ...input,
    characters: characters.map((id) => rowIdOf(String(id), 'Character') ?? String(id)),
  };
}

builder.mutationFields((t) => ({
  createVideo: t.field({
    type: CreateVideoResult,
    description:
      'Validates the input (the characters must be yours and of the model’s family), records the task and hands it to kie.ai; follow it with `taskUpdated`, then read `Task.video`.',
    args: { input: t.arg({ type: CreateVideoInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      create(
        ctx,
        'CreateVideoSuccess',
        submitFor(ctx, 'createVideo', videoModels, String(input.model), withRowIds(input)),
      ),
  }),
}));
