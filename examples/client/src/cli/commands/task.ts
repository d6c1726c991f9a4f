import { Task } from '../../operations.ts';
import { defineCommand } from '../command.ts';
import { flag, UsageError } from '../command-line.ts';
import { follow } from '../follow.ts';
import { describeTask } from '../output.ts';

export const task = defineCommand({
  name: 'task',
  usage: `task ID [--watch]
    Show a task, or follow it until SUCCESS or FAIL.`,
  options: { watch: { type: 'boolean' } },
  parse(positionals, values) {
    const [id, ...more] = positionals;
    if (id === undefined || more.length > 0) throw new UsageError('task needs exactly one task id');
    return { id, watch: flag(values, 'watch') };
  },
  async run(client, { id, watch }, terminal) {
    if (watch) return follow(client, id, terminal);
    const { task } = await client.request(Task, { id });
    if (!task) {
      terminal.stderr.write(`no task has the id ${id}\n`);
      return 1;
    }
    terminal.stdout.write(`${describeTask(task)}\n`);
    return task.state === 'FAIL' ? 1 : 0;
  },
});
