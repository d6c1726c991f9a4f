import type { ResultOf } from '../graphql.ts';
import type { TaskFields } from '../operations.ts';

type TaskView = Pick<ResultOf<typeof TaskFields>, 'state' | 'error'>;
type TaskState = TaskView['state'];

/** Shows a task's states as they come, until `finish`. */
export interface Progress {
  update(task: TaskView): void;
  finish(): void;
}

/** The road to SUCCESS; FAIL may end it at any step. */
const STEPS: TaskState[] = ['PENDING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS'];
const BAR_WIDTH = 24;
const REDRAW_MS = 100;

/**
 * A bar redrawn in place on a terminal, where the elapsed time ticks between updates; on anything
 * else (a pipe, a file, CI's log) one plain line per state, which reads well and greps well.
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }): Progress {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

function stepOf(state: TaskState, previous: number): number {
  const step = STEPS.indexOf(state);
  return step === -1 ? previous : step;
}

/**
 * FAIL is no step on the road: a fraction beside it would claim progress (or, for a task that
 * failed before this client saw it, none), so it carries why the task failed instead.
 */
function failure(task: TaskView): string {
  const { error } = task;
  return error ? `${task.state.padEnd(10)} ${error.code}: ${error.message}` : task.state;
}

function lineProgress(stream: NodeJS.WritableStream): Progress {
  let shown: TaskState | undefined;
  let step = 0;
  return {
    update(task) {
      const { state } = task;
      if (state === shown) return;
      shown = state;
      step = stepOf(state, step);
      stream.write(
        state === 'FAIL'
          ? `${failure(task)}\n`
          : `${state.padEnd(10)} [${step}/${STEPS.length - 1}]\n`,
      );
    },
    finish() {},
  };
}

function barProgress(stream: NodeJS.WritableStream): Progress {
  const started = Date.now();
  let task: TaskView | undefined;
  let step = 0;
  const draw = () => {
    if (!task) return;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (task.state === 'FAIL') {
      stream.write(`\r\x1b[2K${failure(task)} (${seconds} s)`);
      return;
    }
    const filled = Math.round((step / (STEPS.length - 1)) * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    stream.write(`\r\x1b[2K${bar} ${task.state.padEnd(10)} ${seconds} s`);
  };
  const timer = setInterval(draw, REDRAW_MS).unref();
  return {
    update(next) {
      task = next;
      step = stepOf(next.state, step);
      draw();
    },
    finish() {
      clearInterval(timer);
      draw();
      if (task) stream.write('\n');
    },
  };
}
