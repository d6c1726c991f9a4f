import type { Database, TaskRow } from '@charanim/db';
import type { KieClient, ModelRegistry } from '@charanim/provider';

/** What the schema needs of the provider; the gateway builds it from its configuration. */
export interface ProviderContext {
  client: Pick<KieClient, 'createTask' | 'credit' | 'uploadFile'>;
  models: ModelRegistry;
  /**
   * Where the provider posts a task's completion callback, naming our task id so that a callback
   * for a task whose provider id was never stored still finds it; undefined without a public URL.
   */
  callbackUrlFor(taskId: string): string | undefined;
  /** How long createCharacter may take before it answers with a typed error instead. */
  createTimeoutMs: number;
  /** When the poller should first read a task the provider has just accepted. */
  firstPollAt(): Date;
}

/** Task changes, as they are written. */
export interface TaskEvents {
  publish(task: TaskRow): void;
  /** Every change of one task from now on, until the iterator is returned. */
  subscribe(taskId: string): AsyncIterableIterator<TaskRow>;
}

/** The caller: every row read or written is scoped to this owner. */
export interface Viewer {
  owner: string;
}

export interface Context {
  db: Database;
  provider: ProviderContext;
  pubsub: TaskEvents;
  viewer: Viewer;
  apiKeys: import('./api-key-admin.ts').ApiKeyAdmin;
  /** Takes one mutation from the owner's budget: seconds to wait when it is spent, else undefined. */
  takeMutation(owner: string): Promise<number | undefined>;
}

/**
 * A file from a GraphQL multipart request, as the gateway's request parser hands it over: spooled
 * to a temporary file that lives until the response is sent, or only counted because it outgrew
 * the limit (its bytes were never kept).
 */
export type Upload =
  | { kind: 'complete'; filename: string; mimeType: string; path: string }
  | { kind: 'oversize'; filename: string; mimeType: string; receivedBytes: number };
