import {
  advanceTask,
  claimDueTasks,
  failLostSubmissions,
  isFinished,
  type ModelScope,
  schedulePoll,
  type TaskRow,
} from '@charanim/db';
import { ProviderError } from '@charanim/provider';
import { applyRecord } from './apply.ts';
import { pollBoundOf, type TaskCoreDeps } from './deps.ts';

export interface PollerOptions {
  /** The delay after a task is accepted or changes; it grows by half while nothing changes. */
  intervalMs: number;
  /** The cap of that delay. */
  maxIntervalMs: number;
  /** Names this instance in the tasks it leases (`leased_by`). */
  instance: string;
  /**
   * How long a task this poller claims stays its own: no other instance polls it meanwhile, and
   * when this one dies, another takes it over once the lease ends. kie.ai's answer is awaited for
   * half of it at most, so that a poll ends while its lease holds.
   */
  leaseMs: number;
  /** How many due tasks one tick reads at most. Default 50. */
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
 * hanging, and ends those that outlive their model's bound. The schedule lives in the tasks table,
 * so it survives a restart, and each poll is leased there, so that instances sharing the database
 * poll each task one at a time. The gateway calls `tick` on its timer.
 */
export class Poller {
  readonly #deps: TaskCoreDeps;
  readonly #options: PollerOptions;

  constructor(deps: TaskCoreDeps, options: PollerOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  /** Claims the due tasks no other instance holds and polls each once; ends lost submissions. */
  async tick(now = new Date()): Promise<void> {
    const { db, logger } = this.#deps;
    const { instance, batchSize = 50, leaseMs } = this.#options;
    try {
      await this.#endLostSubmissions(now);
      const claimed = await claimDueTasks(db, instance, batchSize, leaseMs);
      const oldest = claimed[0]?.dueAt;
      this.#options.onLag?.(oldest ? Math.max(0, now.getTime() - oldest.getTime()) / 1000 : 0);
      for (const { task, takenFrom } of claimed) {
        if (takenFrom === null) continue;
        logger.info(
          { taskId: task.id, owner: task.owner, from: takenFrom },
          'took over the poll of a task whose lease ran out',
        );
      }
      await Promise.all(claimed.map(({ task }) => this.#poll(task, now)));
    } catch (error) {
      logger.error({ err: error }, 'poller tick failed');
    }
  }

  /**
   * Each bound in use and the tasks it applies to: the default bound covers every model that has
   * it and every model no plugin serves, so that with one bound for all it is one statement.
   */
  #bounds(): { scope: ModelScope; boundMs: number }[] {
    const fallback = pollBoundOf(this.#deps, undefined);
    const byBound = new Map<number, string[]>();
    for (const model of this.#deps.models.list()) {
      const bound = pollBoundOf(this.#deps, model);
      if (bound !== fallback) byBound.set(bound, [...(byBound.get(bound) ?? []), model.id]);
    }
    const others = [...byBound.values()].flat();
    return [
      ...[...byBound].map(([boundMs, ids]) => ({ scope: { in: ids }, boundMs })),
      { scope: { notIn: others }, boundMs: fallback },
    ];
  }

  async #endLostSubmissions(now: Date): Promise<void> {
    const { db, events } = this.#deps;
    for (const { scope, boundMs } of this.#bounds()) {
      const lost = await failLostSubmissions(db, scope, new Date(now.getTime() - boundMs), {
        code: 'SUBMISSION_LOST',
        message: `kie.ai never confirmed the task and sent no callback within ${duration(boundMs)}`,
      });
      for (const task of lost) events.publish(task);
    }
  }

  async #poll(task: TaskRow, now: Date): Promise<void> {
    const { client, db, logger, events, models } = this.#deps;
    let moved: TaskRow | undefined;
    // Whether kie.ai's word on the task was taken: its record applied, or that it has no such
    // task. A refused key, no credits or a record not written say nothing of the task itself.
    let read = false;
    try {
      const record = await client.recordInfo(task.providerTaskId as string, {
        signal: AbortSignal.timeout(Math.floor(this.#options.leaseMs / 2)),
      });
      moved = await applyRecord(this.#deps, task, record);
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
    const boundMs = pollBoundOf(this.#deps, models.get(task.model));
    const age = now.getTime() - (task.submittedAt ?? task.createdAt).getTime();
    if (age >= boundMs && (read || age >= 2 * boundMs)) {
      const bound = duration(boundMs);
      const message = read
        ? `kie.ai did not finish the task within ${bound}`
        : `kie.ai did not report the task finished within ${bound}, nor answer in the ${bound} after`;
      const failed = await advanceTask(db, task.id, {
        state: 'FAIL',
        error: { code: 'TIMEOUT', message },
      });
      if (failed) events.publish(failed);
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
