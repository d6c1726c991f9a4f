import { builder } from './builder.ts';
import { BudgetExceededError, ProviderError, RateLimitedError, ValidationError } from './errors.ts';
import { modelInputType } from './model-input.ts';
import { Task } from './refs.ts';
import { FROM_TASK_MODEL, modelsOf } from './served-models.ts';
import { type CreateOutcome, create, submitFor } from './submission.ts';

/** What createCharacter runs when the input names no model, as it did before it took others. */
const DEFAULT_CHARACTER_MODEL = 'sora-2-characters';

const characterModels = modelsOf('createCharacter');
const fromTaskModels = modelsOf('createCharacterFromTask');

const CreateCharacterSuccess = builder
  .objectRef<CreateOutcome<'CreateCharacterSuccess'> & { kind: 'CreateCharacterSuccess' }>(
    'CreateCharacterSuccess',
  )
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'CreateCharacterSuccess',
    fields: (t) => ({ task: t.expose('task', { type: Task }) }),
  });

export const CreateCharacterResult = builder.unionType('CreateCharacterResult', {
  types: [
    CreateCharacterSuccess,
    ValidationError,
    ProviderError,
    RateLimitedError,
    BudgetExceededError,
  ],
});

const CreateCharacterInput = modelInputType(
  'CreateCharacterInput',
  `A reusable character, made by one of the character models (\`model\`; default ${DEFAULT_CHARACTER_MODEL}). Each field says which models take it; \`models { inputSchema }\` gives each model's exact rules.`,
  characterModels,
  {
    model: {
      type: 'String',
      description: `The character model: ${characterModels.map((model) => model.id).join(', ')}. Default ${DEFAULT_CHARACTER_MODEL}.`,
    },
  },
);

const CreateCharacterFromTaskInput = modelInputType(
  'CreateCharacterFromTaskInput',
  'A character from a 1–4 second segment of an earlier kie.ai video task (model sora-2-characters-pro).',
  fromTaskModels,
);

builder.mutationFields((t) => ({
  createCharacter: t.field({
    type: CreateCharacterResult,
    description:
      'Validates the input, records the task and hands it to kie.ai; follow it with `taskUpdated`.',
    args: { input: t.arg({ type: CreateCharacterInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const model = typeof input.model === 'string' ? input.model : DEFAULT_CHARACTER_MODEL;
      return create(
        ctx,
        'CreateCharacterSuccess',
        submitFor(ctx, 'createCharacter', characterModels, model, input),
      );
    },
  }),
  createCharacterFromTask: t.field({
    type: CreateCharacterResult,
    description:
      'Like createCharacter, from a segment of an earlier kie.ai video task instead of a video; follow it with `taskUpdated`.',
    args: { input: t.arg({ type: CreateCharacterFromTaskInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      create(
        ctx,
        'CreateCharacterSuccess',
        submitFor(ctx, 'createCharacterFromTask', fromTaskModels, FROM_TASK_MODEL, input),
      ),
  }),
}));
