import type { ProviderTaskState } from '../types.ts';
import type { CallbackCounts, CallbackSender } from './callbacks.ts';
import type { CreateWindowStats } from './create-window.ts';
import type { FaultInjector, InjectedFaults } from './faults.ts';
import type { EmulatorRoute } from './steering.ts';
import type { EmulatorTask } from './tasks.ts';

/**
 * Where the emulator reports on itself, and where another process steers it; these routes are
 * never faulted, and only the steering one needs the API key.
 */
export const INTROSPECTION_ROUTES = {
  /** GET: every accepted task. */
  tasks: '/emulator/tasks',
  /** GET: counts of calls, faults, task states and callbacks. */
  stats: '/emulator/stats',
  /** GET: every call to the API routes, in order, as `Emulator.calls` holds them. */
  calls: '/emulator/calls',
  /** PUT `{"mode": "deliver" | "drop" | "duplicate"}`: what `setCallbackMode` sets. */
  callbackMode: '/emulator/callback-mode',
} as const;

/** One task the emulator accepted (createTask answered 200), as `GET /emulator/tasks` lists it. */
export interface EmulatorTaskListing {
  taskId: string;
  model: string;
  state: ProviderTaskState;
  /** null until the task fails. */
  failCode: string | null;
  failMsg: string | null;
  /** null until the task succeeds. */
  resultJson: string | null;
  callBackUrl: string | null;
  createTime: number | null;
  completeTime: number | null;
  callbacks: CallbackCounts;
}

/** What `GET /emulator/stats` answers. */
export interface EmulatorStats {
  /** The seed of the fault PRNG: pass it again to replay the faults. */
  seed: number;
  /** Calls per API route, whatever they were answered. */
  calls: Record<EmulatorRoute, number>;
  /** Random faults injected, by kind; steered misbehaviour is not counted. */
  faults: InjectedFaults;
  /** The accepted tasks, by state. */
  tasks: Record<ProviderTaskState, number> & { total: number };
  /** The callback counts of every task, added up (`attempts - sent` is the retries made). */
  callbacks: CallbackCounts;
  /** The create limit, and what it saw. */
  creates: CreateWindowStats;
}

export function listTasks(
  tasks: Iterable<EmulatorTask>,
  callbacks: CallbackSender,
): EmulatorTaskListing[] {
  return Array.from(tasks, ({ record, request }) => ({
    taskId: record.taskId,
    model: record.model,
    state: record.state,
    failCode: record.failCode,
    failMsg: record.failMsg,
    resultJson: record.resultJson,
    callBackUrl: request.callBackUrl ?? null,
    createTime: record.createTime,
    completeTime: record.completeTime,
    callbacks: callbacks.countsOf(record.taskId),
  }));
}

export function statsOf(
  calls: Iterable<{ route: EmulatorRoute }>,
  faults: FaultInjector,
  tasks: EmulatorTaskListing[],
  creates: CreateWindowStats,
): EmulatorStats {
  const callCounts = {
    createTask: 0,
    recordInfo: 0,
    credit: 0,
    upload: 0,
    immediate: 0,
    downloadUrl: 0,
  };
  for (const { route } of calls) callCounts[route] += 1;
  const states = { waiting: 0, queuing: 0, generating: 0, success: 0, fail: 0 };
  const callbacks = { sent: 0, dropped: 0, delivered: 0, failed: 0, pending: 0, attempts: 0 };
  for (const task of tasks) {
    states[task.state] += 1;
    for (const key of Object.keys(callbacks) as (keyof CallbackCounts)[]) {
      callbacks[key] += task.callbacks[key];
    }
  }
  return {
    seed: faults.seed,
    calls: callCounts,
    faults: faults.injected(),
    tasks: { ...states, total: tasks.length },
    callbacks,
    creates,
  };
}
