import type { StoredResult, TaskRow } from '@charanim/db';
import {
  type ModelDefinition,
  RESULT_LIFETIME_MS,
  type ResultKind,
  type ResultOf,
  resultSchemas,
} from '@charanim/provider';
import { linkedVideo } from './submit/uploads.ts';

/**
 * A typed result, checked against its kind's schema, as its kind's store writes it for a task:
 * a character with the words and source its model describes, a video with the characters the
 * task referenced. Throws when the result is not of the kind the model declares.
 */
export function storedResult(
  model: ModelDefinition,
  task: TaskRow,
  parsed: unknown,
  completedAt: number,
): StoredResult {
  if (model.result === 'character') {
    const value = check('character', parsed);
    const described = model.describeCharacter?.(task.input);
    const videoUrl = task.input.videoUrl;
    const sourceVideo =
      task.sourceVideo ??
      described?.source ??
      (typeof videoUrl === 'string' ? linkedVideo(videoUrl) : undefined);
    if (!sourceVideo) throw new Error(`model ${model.id} names no source of its character`);
    return {
      kind: 'character',
      value,
      record: {
        characterId: value.characterId,
        family: model.family,
        prompt: described?.prompt ?? null,
        safetyInstruction: described?.safetyInstruction ?? null,
        sourceVideo,
      },
    };
  }
  const value = check('video', parsed);
  return {
    kind: 'video',
    value,
    record: {
      urls: value.urls,
      expiresAt: new Date(completedAt + RESULT_LIFETIME_MS).toISOString(),
      characterIds: (task.input.characters as string[] | undefined) ?? [],
    },
  };
}

function check<Kind extends ResultKind>(kind: Kind, value: unknown): ResultOf<Kind> {
  return resultSchemas[kind].parse(value) as ResultOf<Kind>;
}
