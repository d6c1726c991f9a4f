import type { Client } from '../client.ts';
import type { ResultOf } from '../graphql.ts';
import {
  CreateCharacter,
  SearchCharacters,
  Task,
  type TaskFields,
  TaskUpdated,
} from '../operations.ts';
import type { Command } from './args.ts';
import { describeFailure, describeOutcome, describeSearch, describeTask } from './output.ts';
import { createProgress } from './progress.ts';
import { showUsage } from './usage.ts';
import { openVideo } from './video-file.ts';

export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** Runs one command; resolves to the process's exit status. */
export async function runCommand(
  client: Client,
  command: Exclude<Command, { name: 'help' | 'version' }>,
  terminal: Terminal,
): Promise<number> {
  switch (command.name) {
    case 'create':
      return create(client, command, terminal);
    case 'search': {
      const { characters } = await client.request(SearchCharacters, {
        search: command.words,
        first: command.first ?? null,
        after: command.after ?? null,
      });
      terminal.stdout.write(`${describeSearch(characters)}\n`);
      return 0;
    }
    case 'task': {
      if (command.watch) return follow(client, command.id, terminal);
      const { task } = await client.request(Task, { id: command.id });
      if (!task) {
        terminal.stderr.write(`no task has the id ${command.id}\n`);
        return 1;
      }
      terminal.stdout.write(`${describeTask(task)}\n`);
      return task.state === 'FAIL' ? 1 : 0;
    }
    case 'usage':
      return showUsage(client, terminal);
  }
}

async function create(
  client: Client,
  command: Extract<Command, { name: 'create' }>,
  terminal: Terminal,
): Promise<number> {
  // Before any request: a file that cannot be sent is the command line's fault, not the gateway's.
  const video =
    'path' in command.video
      ? { video: await openVideo(command.video.path) }
      : { videoUrl: command.video.url };
  const { createCharacter: result } = await client.request(CreateCharacter, {
    input: {
      ...video,
      prompt: command.prompt ?? null,
      safetyInstruction: command.safetyInstruction ?? null,
      idempotencyKey: command.idempotencyKey ?? null,
    },
  });
  if (result.__typename !== 'CreateCharacterSuccess') {
    terminal.stderr.write(`${describeFailure(result)}\n`);
    return 1;
  }
  const { task } = result;
  terminal.stdout.write(`task ${task.id} created (${task.state})\n`);
  if (command.watch) return follow(client, task.id, terminal);
  terminal.stdout.write(`follow it: npm run cli -- task ${task.id} --watch\n`);
  return 0;
}

/** Follows a task over `taskUpdated` until it ends; 0 when it ends with a character. */
async function follow(client: Client, id: string, terminal: Terminal): Promise<number> {
  const progress = createProgress(terminal.stdout);
  let last: ResultOf<typeof TaskFields> | undefined;
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
