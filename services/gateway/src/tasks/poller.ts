import {
  advanceTask,
  dueTasks,
  failLostSubmissions,
  schedulePoll,
  type TaskRow,
} from '@charanim/db';
import type { KieClient } from '@charanim/provider';
import type { Logger } from '../logger.ts';
import { applyRecord, type TaskUpdater } from './apply-record.ts';

export interface PollerOptions extends TaskUpdater {
  client: Pick<KieClient, 'recordInfo'>;
  logger: Logger;
  /** The delay after a task is accepted or changes; it grows by half while nothing changes. */
  intervalMs: number;
  /** The cap of that delay. */
  maxIntervalMs: number;
  /** A task unfinished this long after its creation ends FAIL with code TIMEOUT. */
  taskTimeoutMs: number;
  /** How often the poller looks for due tasks. */
  tickMs?: number;
  /** How many due tasks one tick reads at most. */
  batchSize?: number;
  /** Told, at each tick, how late the most overdue poll is (0 when none is due). */
  onLag?: (seconds: number) => void;
}

/** The delay before the next poll: growing while nothing changes, capped, with ±20 % jitter. */
export function nextDelay(attempts: number, intervalMs: number, maxIntervalMs: number): number {
  const base = Math.min(maxIntervalMs, intervalMs * 1.5 ** attempts);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Reads kie.ai for tasks that are not finished, so that a lost callback never leaves a task
 * hanging. The schedule lives in the tasks table, so it survives a restart.
 */
export class Poller {
  readonly #options: PollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer ??= setInterval(() => {
      this.#running ??= this.tick().finally(() => {
        this.#running = undefined;
      });
    }, this.#options.tickMs ?? 250);
  }

  /** Stops the timer and waits for the tick in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Polls every due task once, and ends the submissions that were lost. */
  async tick(now = new Date()): Promise<void> {
    const { db, logger } = this.#options;
    try {
      await this.#endLostSubmissions(now);
      const due = await dueTasks(db, now, this.#options.batchSize ?? 50);
      const oldest = due[0]?.nextPollAt;
      this.#options.onLag?.(oldest ? Math.max(0, now.getTime() - oldest.getTime()) / 1000 : 0);
      await Promise.all(due.map((task) => this.#poll(task, now)));
    } catch (error) {
      logger.error({ err: error }, 'poller tick failed');
    }
  }

  async #endLostSubmissions(now: Date): Promise<void> {
    const { db, pubsub, taskTimeoutMs } = this.#options;
    const lost = await failLostSubmissions(db, new Date(now.getTime() - taskTimeoutMs), {
      code: 'SUBMISSION_LOST',
      message: `kie.ai never confirmed the task and sent no callback within ${duration(taskTimeoutMs)}`,
    });
    for (const task of lost) pubsub.publish(task);
  }

  async #poll(task: TaskRow, now: Date): Promise<void> {
    const { client, db, logger, pubsub } = this.#options;
    if (now.getTime() - task.createdAt.getTime() >= this.#options.taskTimeoutMs) {
      const message = `kie.ai did not finish the task within ${duration(this.#options.taskTimeoutMs)}`;
      const failed = await advanceTask(db, task.id, {
        state: 'FAIL',
        error: { code: 'TIMEOUT', message },
      });
      if (failed) pubsub.publish(failed);
      return;
    }
    let changed = false;
    try {
      const record = await client.recordInfo(task.providerTaskId as string);
      changed = (await applyRecord(this.#options, task, record)) !== undefined;
    } catch (error) {
      logger.warn(
        { err: error, taskId: task.id, providerTaskId: task.providerTaskId },
        'poll failed',
      );
    }
    const attempts = changed ? 0 : task.pollAttempts + 1;
    const delay = nextDelay(attempts, this.#options.intervalMs, this.#options.maxIntervalMs);
    await schedulePoll(db, task.id, new Date(Date.now() + delay), attempts);
  }
}

function duration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
