import { createModelRegistry } from '@charanim/tasks';

/**
 * The models the schema is built from: each mutation's input type is derived from the plugins it
 * serves. The gateway's registry holds the same models.
 */
export const allModels = createModelRegistry().list();
