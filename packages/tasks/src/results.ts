import type { SourceImage, SourceVideo, StoredResult, TaskRow } from '@charanim/db';
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
    const sourceImages = imagesOf(model, task);
    const sourceVideo = task.sourceVideo ?? described?.source ?? videoOf(task, sourceImages);
    if (!sourceVideo) throw new Error(`model ${model.id} names no source of its character`);
    return {
      kind: 'character',
      value,
      record: {
        characterId: value.characterId,
        family: model.family,
        prompt: described?.prompt ?? null,
        name: described?.name ?? null,
        safetyInstruction: described?.safetyInstruction ?? null,
        imageUrl: value.imageUrl ?? null,
        sourceVideo,
        sourceImages,
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

/** The images a character was made from, in the order of the model's file fields. */
function imagesOf(model: ModelDefinition, task: TaskRow): SourceImage[] {
  return Object.values(model.files ?? {})
    .filter((spec) => spec.media === 'image')
    .flatMap((spec) => task.sourceImages[spec.replaces] ?? []);
}

/**
 * The source a character names: a linked video, or for a character made from images its
 * portrait. Such a character lives at kie.ai by its id, not by the image's URL: the source carries
 * no expiry, so that the character does not read as expired when the upload goes (the images
 * keep theirs).
 */
function videoOf(task: TaskRow, images: SourceImage[]): SourceVideo | undefined {
  const { videoUrl } = task.input;
  if (typeof videoUrl === 'string') return linkedVideo(videoUrl);
  const [portrait] = images;
  if (!portrait) return undefined;
  const { width: _width, height: _height, ...measured } = portrait;
  return { ...measured, durationSeconds: null, expiresAt: null };
}

function check<Kind extends ResultKind>(kind: Kind, value: unknown): ResultOf<Kind> {
  return resultSchemas[kind].parse(value) as ResultOf<Kind>;
}
