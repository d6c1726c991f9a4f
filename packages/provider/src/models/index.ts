import { ModelRegistry } from './define-model.ts';
import { sora2Characters } from './sora-2-characters.ts';

export * from './define-model.ts';
export * from './sora-2-characters.ts';

/** A registry holding every model this gateway serves. */
export function createModelRegistry(): ModelRegistry {
  return new ModelRegistry().register(sora2Characters);
}
