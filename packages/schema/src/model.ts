import {
  type Availability,
  inputJsonSchema,
  type ModelDefinition,
  resultKinds,
} from '@charanim/tasks';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { createMutations, mutationOf } from './served-models.ts';

const ResultKind = builder.enumType('ResultKind', {
  values: resultKinds.map((kind) => kind.toUpperCase()),
  description: 'What a model makes: a reusable CHARACTER, or a VIDEO.',
});

const CreateMutation = builder.enumType('CreateMutation', {
  values: createMutations,
  description: 'The mutation that runs a model.',
});

const AvailabilityState = builder.enumType('AvailabilityState', {
  values: ['AVAILABLE', 'PAUSED', 'UNKNOWN'] as const,
  description:
    'AVAILABLE: kie.ai took a request for it; PAUSED: kie.ai refuses it as paused; UNKNOWN: not known yet.',
});

const ModelAvailability = builder.objectRef<Availability>('ModelAvailability').implement({
  description: 'Whether kie.ai runs the model now, as far as the gateway knows.',
  fields: (t) => ({
    state: t.expose('state', { type: AvailabilityState }),
    message: t.exposeString('message', {
      nullable: true,
      description: 'What is known: kie.ai’s own words when it paused the model.',
    }),
    checkedAt: t.expose('checkedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When kie.ai last said so; null when it comes from what is known of the model.',
    }),
  }),
});

/** Every model's availability, read once per request however many models it lists. */
const availabilityByRequest = new WeakMap<Context, Promise<Map<string, Availability>>>();

function availabilityIn(ctx: Context): Promise<Map<string, Availability>> {
  let all = availabilityByRequest.get(ctx);
  if (!all) {
    all = ctx.availability.all();
    availabilityByRequest.set(ctx, all);
  }
  return all;
}

const Model = builder.objectRef<ModelDefinition>('Model').implement({
  description: 'A kie.ai model this gateway serves, as its plugin describes it.',
  fields: (t) => ({
    id: t.exposeString('id', { description: "The provider's model id." }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    family: t.exposeString('family', {
      description:
        'Its family: a video model takes characters of its own family only (sora-2, gemini-omni).',
    }),
    makes: t.field({
      type: ResultKind,
      resolve: (model) => model.result.toUpperCase(),
    }),
    mutation: t.field({
      type: CreateMutation,
      description: 'The mutation that runs it; its `model` field (where it has one) names it.',
      resolve: (model) => mutationOf(model),
    }),
    availability: t.field({
      type: ModelAvailability,
      description:
        "What kie.ai's answers said of it, as every instance of the gateway learned them: a created task makes it AVAILABLE, a refusal as paused PAUSED (creates for it are then refused at once for a minute, without asking kie.ai). Before any answer, what its plugin knows.",
      resolve: async (model, _args, ctx) =>
        (await availabilityIn(ctx)).get(model.id) as Availability,
    }),
    inputSchema: t.field({
      type: 'JSON',
      description:
        "JSON Schema of the input the model's mutation takes, as a client sends it: its properties, their types, limits and descriptions. Rules across fields (such as a segment of 1–4 s) are checked but not in it, and neither is a file upload: the descriptions say where one may replace a property (createCharacter's `video` for `videoUrl`, `portrait` for `portraitUrl`).",
      resolve: (model) => inputJsonSchema(model),
    }),
  }),
});

builder.queryField('models', (t) =>
  t.field({
    type: [Model],
    description: 'The models this gateway serves.',
    resolve: (_root, _args, ctx) => ctx.models.list(),
  }),
);
