import { parseArgs } from 'node:util';
import type { Client } from '../client.ts';
import type { Command, OptionsConfig, OptionValues, Terminal } from './command.ts';
import { UsageError } from './command-line.ts';
import { commands } from './commands/index.ts';

export { UsageError } from './command-line.ts';

// The gateway listens on 127.0.0.1 by default; `localhost` may resolve to ::1 first and miss it.
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4000/graphql';

const table: readonly Command<unknown>[] = commands;
const names = table.map((command) => command.name);
const namesInWords = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

const indent = (text: string, by: string) => text.replace(/^/gm, by);

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
${table.map((command) => indent(command.usage, '  ')).join('\n')}

Options:
  --endpoint URL   the gateway's GraphQL URL, ending in /graphql (default: $CHARANIM_ENDPOINT or
                   ${DEFAULT_ENDPOINT})
  --key KEY        the API key (default: $CHARANIM_API_KEY, which keeps it out of the process list)
  -h, --help       this text
  --version        the client's version

Lists (tasks, characters, videos, search) print aligned columns on a terminal; piped, one line per item
with tab-separated columns, and the notes (no match, the next page's --after) on stderr.

Exit status: 0 on success, 1 when the task fails, the gateway refuses the request or cannot be
reached, 2 on a command line it cannot run (bad usage, or a file to upload that is not readable).`;

/** What the command line asks for: help, the version, or a command to run. */
export type Invocation = {
  endpoint: string;
  apiKey: string | undefined;
  command:
    | { kind: 'help' }
    | { kind: 'version' }
    | {
        kind: 'run';
        /** The command's name and its arguments as its `parse` read them. */
        name: string;
        args: unknown;
        run(client: Client, terminal: Terminal): Promise<number>;
      };
};

const globalOptions = {
  endpoint: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies OptionsConfig;

/**
 * The options of every command together, for one strict parse: a command given another's option
 * is then told which it does not take, rather than that the option does not exist.
 */
const allOptions: OptionsConfig = Object.assign(
  {},
  ...table.map((command) => command.options),
  globalOptions,
);

export function parseInvocation(
  args: string[],
  env: Record<string, string | undefined>,
): Invocation {
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: allOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseArgsProblem(error as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  const endpoint =
    (values.endpoint as string | undefined) ?? env.CHARANIM_ENDPOINT ?? DEFAULT_ENDPOINT;
  if (!URL.canParse(endpoint) || !/^https?:/i.test(endpoint)) {
    throw new UsageError(`--endpoint must be an http(s) URL, not ${endpoint}`);
  }
  const apiKey = (values.key as string | undefined) ?? (env.CHARANIM_API_KEY || undefined);
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return { endpoint, apiKey, command: { kind: 'help' } };
  if (values.version) return { endpoint, apiKey, command: { kind: 'version' } };
  // Asked for nothing, it cannot do anything: that is a command line it cannot run.
  if (name === undefined) throw new UsageError(`no command given: use ${namesInWords}`);
  const command = table.find((known) => known.name === name);
  if (!command) throw new UsageError(`unknown command ${name}: use ${namesInWords}`);
  const stray = Object.keys(values).filter(
    (option) => !(option in globalOptions) && !(option in command.options),
  );
  if (stray.length > 0) throw new UsageError(`${name} does not take --${stray.join(', --')}`);
  const parsedArgs = command.parse(rest, values);
  return {
    endpoint,
    apiKey,
    command: {
      kind: 'run',
      name: command.name,
      args: parsedArgs,
      run: (client, terminal) => command.run(client, parsedArgs, terminal),
    },
  };
}

/**
 * parseArgs's complaint in one line. Its own messages run over several lines, quote the option
 * with mismatched quotes and suggest `--` to a user who simply misspelt an option.
 */
function parseArgsProblem(error: Error & { code?: string }): string {
  // The option as quoted first: `'--endpoint <value>'`, or `'-h, --help'` for one with a short form.
  const quoted = /'(-[^']*)'/.exec(error.message)?.[1] ?? '';
  const option = quoted
    .split(/[ ,]+/)
    .filter((word) => word.startsWith('-'))
    .at(-1);
  if (option !== undefined) {
    switch (error.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        return `unknown option ${option}`;
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
        // `--prompt --watch`: the value is missing, or it starts with a dash.
        if (/ambiguous/.test(error.message))
          return `${option} needs a value (write one that starts with - as ${option}=-…)`;
        return `${option} needs a value`;
    }
  }
  return error.message.split('\n')[0] ?? error.message;
}
