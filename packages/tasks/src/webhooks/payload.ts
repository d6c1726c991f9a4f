import {
  type CharacterRow,
  charactersOfVideo,
  type Executor,
  findCharacterByTask,
  findVideoByTask,
  type TaskRow,
  type WebhookDeliveryRow,
} from '@charanim/db';

/** Writes a row id as the API's global id of its type (`Task`, `Character`, `Video`). */
export type GlobalId = (type: 'Task' | 'Character' | 'Video', id: string) => string;

/**
 * The body of a delivery: the event, the task as it was when it entered the state the event is
 * about, and on SUCCESS its typed result as the API shows it, so that an app needs no second
 * request. Made when sent, from what is stored then.
 */
export async function webhookPayload(
  db: Executor,
  globalId: GlobalId,
  delivery: WebhookDeliveryRow,
  task: TaskRow,
): Promise<Record<string, unknown>> {
  const ended = delivery.state === 'SUCCESS' || delivery.state === 'FAIL';
  return {
    type: delivery.event,
    timestamp: delivery.createdAt.toISOString(),
    data: {
      task: {
        id: globalId('Task', task.id),
        model: task.model,
        state: delivery.state,
        error:
          delivery.state === 'FAIL' && task.errorCode
            ? { code: task.errorCode, message: task.errorMessage }
            : null,
        createdAt: task.createdAt.toISOString(),
        completedAt: ended ? (task.completedAt?.toISOString() ?? null) : null,
      },
      result: delivery.state === 'SUCCESS' ? await resultOf(db, globalId, task.id) : null,
    },
  };
}

async function resultOf(db: Executor, globalId: GlobalId, taskId: string) {
  const character = await findCharacterByTask(db, taskId);
  if (character) return characterOf(globalId, character);
  const video = await findVideoByTask(db, taskId);
  if (!video) return null;
  const used = await charactersOfVideo(db, video.id);
  return {
    __typename: 'Video',
    id: globalId('Video', video.id),
    model: video.model,
    url: video.url,
    urls: video.urls,
    expiresAt: video.expiresAt?.toISOString() ?? null,
    characters: used.map((one) => characterOf(globalId, one)),
  };
}

function characterOf(globalId: GlobalId, character: CharacterRow) {
  return {
    __typename: 'Character',
    id: globalId('Character', character.id),
    characterId: character.characterId,
    family: character.family,
    name: character.name,
    prompt: character.prompt,
    imageUrl: character.imageUrl,
  };
}
