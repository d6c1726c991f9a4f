import type { CharacterResultForm } from '../models/sora-2-characters.ts';
import type { CreateTaskRequest, ProviderTaskState, TaskRecord } from '../types.ts';
import type { CreateTaskBody } from './create-task-body.ts';

/** How long a task stays in each running state. */
export interface EmulatorTiming {
  waitingMs: number;
  queuingMs: number;
  generatingMs: number;
}

/**
 * How resultJson names a character, in the forms kie.ai has documented: `character_id`, or
 * `character_id_list` holding a string or an array.
 */
export type ResultForm = CharacterResultForm;

/** How a task ends; the default is success with the result its model's plugin fakes. */
export type EmulatorOutcome =
  | {
      state: 'success';
      /** For a character model; default `character_id`. */
      resultForm?: ResultForm;
      /** The id key of the completion callback's `data`. Default `taskId`. */
      taskIdKey?: 'taskId' | 'task_id';
    }
  | { state: 'fail'; failCode: string; failMsg: string };

/** A task as the emulator holds it. */
export interface EmulatorTask {
  record: TaskRecord;
  /** The createTask body it was made from. */
  request: CreateTaskRequest;
}

interface RunningTask extends EmulatorTask {
  outcome: EmulatorOutcome;
  /** The resultJson its model's plugin makes up for it, once it succeeds. */
  fakeResult(): string;
  /** Set while the task runs. */
  timer: NodeJS.Timeout | undefined;
}

/** Each running state, how long it lasts, and what follows it. */
const lifecycle = {
  waiting: { lasts: 'waitingMs', next: 'queuing' },
  queuing: { lasts: 'queuingMs', next: 'generating' },
  generating: { lasts: 'generatingMs', next: 'end' },
} as const satisfies Partial<
  Record<ProviderTaskState, { lasts: keyof EmulatorTiming; next: ProviderTaskState | 'end' }>
>;

/** The emulator's tasks, each moved through kie.ai's states by timers. */
export class TaskBook {
  readonly #tasks = new Map<string, RunningTask>();
  readonly #timing: EmulatorTiming;
  readonly #filesUrl: string;
  readonly #onEnd: (task: EmulatorTask, outcome: EmulatorOutcome) => void;
  #counter = 0;

  /**
   * `filesUrl` is where the emulator serves files, for the URLs of fake results; `onEnd` learns of
   * every task that ends, with how it ended.
   */
  constructor(
    timing: EmulatorTiming,
    filesUrl: string,
    onEnd: (task: EmulatorTask, outcome: EmulatorOutcome) => void,
  ) {
    this.#timing = timing;
    this.#filesUrl = filesUrl;
    this.#onEnd = onEnd;
  }

  create({ plugin, ...body }: CreateTaskBody, outcome: EmulatorOutcome): EmulatorTask {
    const now = Date.now();
    this.#counter += 1;
    const taskId = `task_${body.model}_${now}${this.#counter}`;
    const task: RunningTask = {
      record: {
        taskId,
        model: body.model,
        state: 'waiting',
        param: JSON.stringify(body),
        resultJson: null,
        failCode: null,
        failMsg: null,
        createTime: now,
        updateTime: now,
        completeTime: null,
      },
      request: body,
      outcome,
      fakeResult: () =>
        JSON.stringify(
          plugin.emulator.fakeResult({
            filesUrl: this.#filesUrl,
            variant: outcome.state === 'success' ? outcome.resultForm : undefined,
          }),
        ),
      timer: undefined,
    };
    this.#tasks.set(taskId, task);
    this.#enter(task, 'waiting');
    return task;
  }

  get(taskId: string): EmulatorTask | undefined {
    return this.#tasks.get(taskId);
  }

  /** Every task, in the order they were created. */
  all(): Iterable<EmulatorTask> {
    return this.#tasks.values();
  }

  /** Ends a running task as failed now. */
  fail(taskId: string, failCode: string, failMsg: string): void {
    const task = this.#tasks.get(taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    if (task.timer === undefined) throw new Error(`task ${taskId} has already ended`);
    this.#end(task, { state: 'fail', failCode, failMsg });
  }

  /** Stops every timer; the tasks stay where they are. */
  close(): void {
    for (const task of this.#tasks.values()) clearTimeout(task.timer);
  }

  #enter(task: RunningTask, state: keyof typeof lifecycle): void {
    Object.assign(task.record, { state, updateTime: Date.now() });
    const { lasts, next } = lifecycle[state];
    const advance = () =>
      next === 'end' ? this.#end(task, task.outcome) : this.#enter(task, next);
    // The server keeps the process alive; a pending task alone should not.
    task.timer = setTimeout(advance, this.#timing[lasts]).unref();
  }

  #end(task: RunningTask, outcome: EmulatorOutcome): void {
    clearTimeout(task.timer);
    task.timer = undefined;
    const now = Date.now();
    Object.assign(task.record, {
      state: outcome.state,
      updateTime: now,
      completeTime: now,
      ...(outcome.state === 'success'
        ? { resultJson: task.fakeResult() }
        : { failCode: outcome.failCode, failMsg: outcome.failMsg }),
    });
    this.#onEnd(task, outcome);
  }
}
