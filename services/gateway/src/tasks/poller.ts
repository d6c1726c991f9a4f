import {
  advanceTask,
  claimDueTasks,
  failLostSubmissions,
  isFinished,
  schedulePoll,
  type TaskRow,
} from '@charanim/db';
import { type KieClient, ProviderError } from '@charanim/provider';
import type { Logger } from '../logger.ts';
import { applyRecord, type TaskUpdater } from './apply-record.ts';

export interface PollerOptions extends TaskUpdater {
  client: Pick<KieClient, 'recordInfo'>;
  logger: Logger;
  /** The delay after a task is accepted or changes; it grows by half while nothing changes. */
  intervalMs: number;
  /** The cap of that delay. */
  maxIntervalMs: number;
  /**
   * A task unfinished this long after it was sent ends FAIL with code TIMEOUT (once a poll has
   * read kie.ai, or after twice this long when none could).
   */
  taskTimeoutMs: number;
  /** Names this instance in the tasks it leases (`leased_by`). */
  instance: string;
  /**
   * How long a task this poller claims stays its own: no other instance polls it meanwhile, and
   * when this one dies, another takes it over once the lease ends. kie.ai's answer is awaited for
   * half of it at most, so that a poll ends while its lease holds.
   */
  leaseMs: number;
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
 * hanging. The schedule lives in the tasks table, so it survives a restart, and each poll is
 * leased there, so that instances sharing the database poll each task one at a time.
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

  /** Claims the due tasks no other instance holds and polls each once; ends lost submissions. */
  async tick(now = new Date()): Promise<void> {
    const { db, logger, instance, batchSize = 50, leaseMs } = this.#options;
    try {
      await this.#endLostSubmissions(now);
      const claimed = await claimDueTasks(db, instance, batchSize, leaseMs);
      const oldest = claimed[0]?.dueAt;
      this.#options.onLag?.(oldest ? Math.max(0, now.getTime() - oldest.getTime()) / 1000 : 0);
      await Promise.all(claimed.map(({ task }) => this.#poll(task, now)));
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
    const { client, db, logger, pubsub, taskTimeoutMs } = this.#options;
    let moved: TaskRow | undefined;
    // Whether kie.ai's word on the task was taken: its record applied, or that it has no such
    // task. A refused key, no credits or a record not written say nothing of the task itself.
    let read = false;
    try {
      const record = await client.recordInfo(task.providerTaskId as string, {
        signal: AbortSignal.timeout(Math.floor(this.#options.leaseMs / 2)),
      });
      moved = await applyRecord(this.#options, task, record);
      read = true;
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'NOT_FOUND') read = true;
      const about = {
        taskId: task.id,
        providerTaskId: task.providerTaskId,
        attempt: task.pollAttempts + 1,
      };
      if (error instanceof ProviderError) {
        // kie.ai's answer, or the lack of one, as the client classified it: the stack says nothing
        // more, and a task kie.ai does not know is polled (and logged) until its bound.
        logger.warn(
          { ...about, code: error.code, providerCode: error.providerCode },
          `poll failed: ${error.code}: ${error.message}`,
        );
      } else {
        logger.warn({ ...about, err: error }, 'poll failed');
      }
    }
    if (moved && isFinished(moved.state)) return;
    // Read first, then judged: a task whose poll came late (its lease outlived a dead instance)
    // may have finished at kie.ai meanwhile. A read that failed (a rate limit, a timeout, a refused
    // key) says nothing of it, so past the bound it is read again, up to twice the bound. Counted
    // from the send: a repeat of a request may send a task long after it was made.
    const age = now.getTime() - (task.submittedAt ?? task.createdAt).getTime();
    if (age >= taskTimeoutMs && (read || age >= 2 * taskTimeoutMs)) {
      const bound = duration(taskTimeoutMs);
      const message = read
        ? `kie.ai did not finish the task within ${bound}`
        : `kie.ai did not report the task finished within ${bound}, nor answer in the ${bound} after`;
      const failed = await advanceTask(db, task.id, {
        state: 'FAIL',
        error: { code: 'TIMEOUT', message },
      });
      if (failed) pubsub.publish(failed);
      return;
    }
    const attempts = moved ? 0 : task.pollAttempts + 1;
    const delay = nextDelay(attempts, this.#options.intervalMs, this.#options.maxIntervalMs);
    if (!(await schedulePoll(db, task, delay, attempts))) {
      logger.debug(
        { taskId: task.id },
        'the task finished, or its lease ran out, while it was polled: its schedule is left as it is',
      );
    }
  }
}

function duration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
