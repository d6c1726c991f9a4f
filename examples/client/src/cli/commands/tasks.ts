import type { VariablesOf } from '../../graphql.ts';
import { Tasks } from '../../operations.ts';
import { defineCommand } from '../command.ts';
import { noArguments, pageOf, pageOptions, pageUsage, text, UsageError } from '../command-line.ts';
import { printListing } from '../listing.ts';
import { taskOutcome } from '../output.ts';

type TaskState = NonNullable<VariablesOf<typeof Tasks>['state']>;
/**
 * The schema's TaskState, written out for the usage and a check before any request: the client
 * has the schema as types only. As a record's keys, the compiler holds them to the enum both ways.
 */
const stateKeys: Record<TaskState, true> = {
  PENDING: true,
  WAITING: true,
  QUEUING: true,
  GENERATING: true,
  SUCCESS: true,
  FAIL: true,
};
const states = Object.keys(stateKeys) as TaskState[];

function stateOf(value: string | undefined): TaskState | undefined {
  if (value === undefined) return undefined;
  const state = states.find((known) => known === value.toUpperCase());
  if (!state) throw new UsageError(`--state must be one of ${states.join(', ')}, not ${value}`);
  return state;
}

export const tasks = defineCommand({
  name: 'tasks',
  usage: `tasks [--state STATE] ${pageUsage}
    List your tasks, newest first: id, state, model, when made, and what each made or why it
    failed. STATE: ${states.join(', ')}.`,
  options: { state: { type: 'string' }, ...pageOptions },
  parse(positionals, values) {
    noArguments('tasks', positionals);
    return { state: stateOf(text(values, 'state')) ?? null, ...pageOf(values) };
  },
  async run(client, variables, terminal) {
    const { tasks } = await client.request(Tasks, variables);
    printListing(terminal, {
      header: ['ID', 'STATE', 'MODEL', 'CREATED', 'OUTCOME'],
      rows: tasks.edges.map(({ node }) => [
        node.id,
        node.state,
        node.model,
        node.createdAt,
        taskOutcome(node),
      ]),
      empty: 'no task',
      pageInfo: tasks.pageInfo,
    });
    return 0;
  },
});
