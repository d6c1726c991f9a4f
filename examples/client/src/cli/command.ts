import type { ParseArgsConfig } from 'node:util';
import type { Client } from '../client.ts';

/** Where a command writes: stdout tells whether it is a terminal, for bars and tables. */
export interface Terminal {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** Options as node:util's parseArgs declares them. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The options of a command line as node:util's parseArgs reads them. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * One command of the CLI, all in its own file: its usage lines, the options it takes beside the
 * global ones, how it reads its command line and what it does. The table in `commands/index.ts`
 * lists them, so that a new command is its file plus one line there.
 */
export interface Command<Args> {
  name: string;
  /** Its lines of the usage text: a synopsis (and its options' forms) and what it does. */
  usage: string;
  /** The options it takes beside the global ones; an option several commands take means the same in each. */
  options: OptionsConfig;
  /** Its arguments from the words after its name and the options; throws a UsageError. */
  parse(positionals: string[], values: OptionValues): Args;
  /** Runs it; resolves to the process's exit status. */
  run(client: Client, args: Args, terminal: Terminal): Promise<number>;
}

/** Declares a command with its arguments' type inferred from `parse`. */
export function defineCommand<Args>(command: Command<Args>): Command<Args> {
  return command;
}
