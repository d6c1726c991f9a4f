import { ModelRegistry } from './define-model.ts';
import { geminiOmniCharacter } from './gemini-omni-character.ts';
import { geminiOmniFlash, geminiOmniVideo } from './gemini-omni-video.ts';
import { sora2Characters } from './sora-2-characters.ts';
import { sora2CharactersPro } from './sora-2-characters-pro.ts';
import { sora2TextToVideo } from './sora-2-text-to-video.ts';

export * from './define-model.ts';
export * from './gemini-omni-character.ts';
export * from './gemini-omni-video.ts';
export * from './results.ts';
export * from './rules.ts';
export * from './sora-2-characters.ts';
export * from './sora-2-characters-pro.ts';

/** A registry holding every model this gateway serves. */
export function createModelRegistry(): ModelRegistry {
  return new ModelRegistry()
    .register(sora2Characters)
    .register(sora2CharactersPro)
    .register(sora2TextToVideo)
    .register(geminiOmniCharacter)
    .register(geminiOmniFlash)
    .register(geminiOmniVideo);
}
