import { inputJsonSchema, type ModelDefinition } from '@charanim/tasks';
import { builder } from './builder.ts';

const Model = builder.objectRef<ModelDefinition>('Model').implement({
  description: 'A kie.ai model this gateway serves, as its plugin describes it.',
  fields: (t) => ({
    id: t.exposeString('id', { description: "The provider's model id." }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    inputSchema: t.field({
      type: 'JSON',
      description:
        "JSON Schema of the input the model's mutation takes, as a client sends it: its properties, their types, limits and descriptions. Rules across fields (such as a segment of 1–4 s) are checked but not in it, and neither is a file upload: the descriptions say where one may replace a property (createCharacter's `video` for `videoUrl`).",
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
