import {
  type CharacterListOptions,
  type CharacterRow,
  type CreditLimits,
  type CreditUsage,
  charactersOfVideo,
  countCharacters,
  countTasks,
  countVideos,
  creditUsage,
  type FoundCharacter,
  findCharacter,
  findCharacterByTask,
  findTask,
  findVideo,
  findVideoByTask,
  isRowId,
  listCharacters,
  listTasks,
  listVideos,
  type Page,
  setCreditBudget,
  type TaskListOptions,
  type TaskRow,
  type VideoListOptions,
  type VideoRow,
} from '@charanim/db';
import type { ModelRegistry } from '@charanim/provider';
import { type AvailabilityService, availabilityService } from './availability.ts';
import { type CallbackAnswer, type CallbackInput, ingestCallback } from './callbacks.ts';
import { type DeleteOutcome, deleteCharacter, deleteTask } from './delete.ts';
import type { TaskCoreDeps } from './deps.ts';
import { followTask } from './follow.ts';
import type { SubmitOutcome } from './submit/outcome.ts';
import type { SubmitRequest } from './submit/prepare.ts';
import { submit } from './submit/submit.ts';

/** Tasks: made through `submit`, read and followed by their owner. */
export interface TaskService {
  submit(request: SubmitRequest): Promise<SubmitOutcome>;
  find(owner: string, id: string): Promise<TaskRow | undefined>;
  list(owner: string, options: TaskListOptions): Promise<Page<TaskRow>>;
  /** How many tasks a list holds, over all its pages. */
  count(owner: string, options: Omit<TaskListOptions, 'first' | 'after'>): Promise<number>;
  /** The task now, then each change until it ends; TaskNotFound when it is not the owner's. */
  follow(owner: string, id: string): AsyncGenerator<TaskRow>;
  /** Deletes a task that has ended, and what it made. */
  delete(owner: string, id: string): Promise<DeleteOutcome>;
}

/** The characters finished tasks made: the result store of the character kind. */
export interface CharacterService {
  find(owner: string, id: string): Promise<CharacterRow | undefined>;
  list(owner: string, options: CharacterListOptions): Promise<Page<FoundCharacter>>;
  /** How many characters a list (a search) holds, over all its pages. */
  count(owner: string, options: Pick<CharacterListOptions, 'search' | 'filter'>): Promise<number>;
  ofTask(taskId: string): Promise<CharacterRow | undefined>;
  /** The characters a video used, in the order its task named them. */
  ofVideo(videoId: string): Promise<CharacterRow[]>;
  /** Deletes a character with the task that made it. */
  delete(owner: string, id: string): Promise<DeleteOutcome>;
}

/** The videos finished tasks made: the result store of the video kind. */
export interface VideoService {
  find(owner: string, id: string): Promise<VideoRow | undefined>;
  list(owner: string, options: VideoListOptions): Promise<Page<VideoRow>>;
  /** How many videos a list holds, over all its pages. */
  count(owner: string, filter: VideoListOptions['filter']): Promise<number>;
  ofTask(taskId: string): Promise<VideoRow | undefined>;
  /**
   * A fresh link to the video's file from kie.ai, valid 20 minutes; undefined once kie.ai no
   * longer keeps the file. Throws a ProviderError when kie.ai cannot give one.
   */
  downloadUrl(video: VideoRow): Promise<string | undefined>;
}

/** What owners spend of kie.ai's credits, and the budgets that bound it. */
export interface CreditService {
  /** The owner's spending this UTC day and month, and its budget. */
  usage(owner: string): Promise<CreditUsage>;
  /** Sets the owner's budget; both limits null removes it. */
  setBudget(owner: string, limits: CreditLimits): Promise<void>;
}

/** The task core of one gateway: what resolvers and the webhook route reach. */
export interface TaskCore {
  tasks: TaskService;
  characters: CharacterService;
  videos: VideoService;
  credits: CreditService;
  models: ModelRegistry;
  /** What kie.ai's answers said of each model, shared by every instance. */
  availability: AvailabilityService;
  /** Verifies, de-duplicates and applies one kie.ai callback. */
  ingestCallback(input: CallbackInput): Promise<CallbackAnswer>;
}

/** A lookup by an id that cannot name a row answers nothing, without asking the database. */
const byId =
  <Row>(find: (owner: string, id: string) => Promise<Row | undefined>) =>
  (owner: string, id: string) =>
    isRowId(id) ? find(owner, id) : Promise.resolve(undefined);

export function createTaskCore(
  deps: TaskCoreDeps & { callbackHmacKey: string | undefined },
): TaskCore {
  const { db } = deps;
  return {
    tasks: {
      submit: (request) => submit(deps, request),
      find: byId((owner, id) => findTask(db, owner, id)),
      list: (owner, options) => listTasks(db, owner, options),
      count: (owner, options) => countTasks(db, owner, options),
      follow: (owner, id) => followTask(deps, owner, id),
      delete: (owner, id) => deleteTask(deps, owner, id),
    },
    characters: {
      find: byId((owner, id) => findCharacter(db, owner, id)),
      list: (owner, options) => listCharacters(db, owner, options),
      count: (owner, options) => countCharacters(db, owner, options),
      ofTask: (taskId) => findCharacterByTask(db, taskId),
      ofVideo: (videoId) => charactersOfVideo(db, videoId),
      delete: (owner, id) => deleteCharacter(deps, owner, id),
    },
    videos: {
      find: byId((owner, id) => findVideo(db, owner, id)),
      list: (owner, options) => listVideos(db, owner, options),
      count: (owner, filter) => countVideos(db, owner, filter),
      ofTask: (taskId) => findVideoByTask(db, taskId),
      downloadUrl: async (video) =>
        video.expiresAt !== null && video.expiresAt.getTime() <= Date.now()
          ? undefined
          : deps.client.downloadUrl(video.url),
    },
    credits: {
      usage: (owner) => creditUsage(db, owner),
      setBudget: async (owner, limits) => {
        await setCreditBudget(db, owner, limits);
        deps.logger.info({ owner, ...limits }, 'credit budget set');
      },
    },
    models: deps.models,
    availability: availabilityService(db, deps.models),
    ingestCallback: (input) => ingestCallback({ ...deps, hmacKey: deps.callbackHmacKey }, input),
  };
}
