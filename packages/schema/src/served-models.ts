import { createModelRegistry, type ModelDefinition } from '@charanim/tasks';

/**
 * The models the schema is built from: each mutation's input type is derived from the plugins it
 * serves. The gateway's registry holds the same models.
 */
export const allModels = createModelRegistry().list();

/** The model createCharacterFromTask serves: a character from a segment of an earlier task. */
export const FROM_TASK_MODEL = 'sora-2-characters-pro';

export const createMutations = [
  'createCharacter',
  'createCharacterFromTask',
  'createVideo',
] as const;
export type CreateMutation = (typeof createMutations)[number];

/** The mutation that runs a model: by the kind of result it makes, the pro model apart. */
export function mutationOf(model: ModelDefinition): CreateMutation {
  if (model.id === FROM_TASK_MODEL) return 'createCharacterFromTask';
  return model.result === 'video' ? 'createVideo' : 'createCharacter';
}

/** The models a mutation serves, in the order they were registered. */
export function modelsOf(mutation: CreateMutation): ModelDefinition[] {
  return allModels.filter((model) => mutationOf(model) === mutation);
}
