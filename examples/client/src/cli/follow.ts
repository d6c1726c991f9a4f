import type { Client } from '../client.ts';
import type { ResultOf } from '../graphql.ts';
import { type TaskFields, TaskUpdated } from '../operations.ts';
import type { Terminal } from './command.ts';
import { describeFailure, describeOutcome } from './output.ts';
import { createProgress } from './progress.ts';

type TaskView = ResultOf<typeof TaskFields>;

/**
 * Follows a task over `taskUpdated` until it ends; 0 when it ends with what it made (a character,
 * a video), 1 when it fails.
 */
export async function follow(client: Client, id: string, terminal: Terminal): Promise<number> {
  const progress = createProgress(terminal.stdout);
  let last: TaskView | undefined;
  try {
    for await (const { taskUpdated } of client.subscribe(TaskUpdated, { id })) {
      last = taskUpdated;
      progress.update(taskUpdated);
    }
  } finally {
    progress.finish();
  }
  if (last?.state === 'SUCCESS') {
    terminal.stdout.write(`${describeOutcome(last)}\n`);
    return 0;
  }
  terminal.stderr.write(`${last ? describeOutcome(last) : `task ${id} sent no update`}\n`);
  return 1;
}

type CreateResult =
  | { __typename: 'CreateCharacterSuccess' | 'CreateVideoSuccess'; task: TaskView }
  | Parameters<typeof describeFailure>[0];

/**
 * What a create mutation answered, for the user: the failure, or the task, then (with `watch`)
 * its states until it ends. A task that ended at once (a model kie.ai answers in the same request)
 * has its outcome printed straight away.
 */
export async function reportCreated(
  client: Client,
  result: CreateResult,
  watch: boolean,
  terminal: Terminal,
): Promise<number> {
  if (!('task' in result)) {
    terminal.stderr.write(`${describeFailure(result)}\n`);
    return 1;
  }
  const { task } = result;
  terminal.stdout.write(`task ${task.id} created (${task.state})\n`);
  if (watch) return follow(client, task.id, terminal);
  if (task.state === 'SUCCESS') {
    terminal.stdout.write(`${describeOutcome(task)}\n`);
    return 0;
  }
  if (task.state === 'FAIL') {
    terminal.stderr.write(`${describeOutcome(task)}\n`);
    return 1;
  }
  terminal.stdout.write(`follow it: npm run cli -- task ${task.id} --watch\n`);
  return 0;
}
