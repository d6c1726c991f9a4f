import type { Database } from '@charanim/db';
import type { KieClient, ModelDefinition, ModelRegistry } from '@charanim/provider';
import type { AvailabilityLearner } from './availability.ts';
import type { TaskEvents } from './events/index.ts';
import type { Logger } from './logger.ts';
import type { CreateLimiter } from './submit/create-limiter.ts';

/** What the task core needs from the gateway, which builds it from its configuration. */
export interface TaskCoreDeps {
  db: Database;
  client: Pick<KieClient, 'createTask' | 'post' | 'recordInfo' | 'uploadFile' | 'downloadUrl'>;
  models: ModelRegistry;
  events: TaskEvents;
  logger: Logger;
  /**
   * Where the provider posts a task's completion callback, naming our task id so that a callback
   * for a task whose provider id was never stored still finds it; undefined without a public URL.
   */
  callbackUrlFor(taskId: string): string | undefined;
  /** Admits each createTask within kie.ai's account-wide limit, shared by every instance. */
  createLimiter: CreateLimiter;
  /** Learns from kie.ai's answers whether each model runs, and refuses one it paused. */
  availability: AvailabilityLearner;
  /** How long kie.ai keeps an uploaded file: a source's `expiresAt` is this after its upload. */
  uploadLifetimeMs: number;
  /** How long a create may take before it answers with a typed error instead. */
  createTimeoutMs: number;
  /** When the poller should first read a task the provider has just accepted. */
  firstPollAt(): Date;
  /** Bounds every model's tasks alike (TASK_TIMEOUT_MS); unset, each model's plugin sets its own. */
  taskTimeoutMs?: number | undefined;
  /**
   * Takes an earlier kie.ai task id that no task of this gateway has (one made outside it) where a
   * model names one (ALLOW_FOREIGN_ORIGIN_TASKS); another owner's task is refused all the same.
   */
  allowForeignOriginTasks?: boolean | undefined;
}

/** What a task of this model may take before it ends TIMEOUT (the plugin's bound, or the override). */
export function pollBoundOf(deps: TaskCoreDeps, model: ModelDefinition | undefined): number {
  if (deps.taskTimeoutMs !== undefined) return deps.taskTimeoutMs;
  if (model?.mode === 'task') return model.pollBoundMs;
  // A model that answers in the same request is done within the create's time limit, or never:
  // a task of it still PENDING well after that was lost with its process.
  if (model?.mode === 'immediate') return 2 * deps.createTimeoutMs;
  return DEFAULT_POLL_BOUND_MS;
}

/** kie.ai's guidance for any task: stop polling after about 15 minutes. */
export const DEFAULT_POLL_BOUND_MS = 15 * 60_000;
