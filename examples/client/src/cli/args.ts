import { parseArgs } from 'node:util';
import { USAGE_LINE } from './usage.ts';

// The gateway listens on 127.0.0.1 by default; `localhost` may resolve to ::1 first and miss it.
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4000/graphql';

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  create --video FILE [--prompt TEXT] [--watch]   create a character from a local video (1–4 s)
  create --url URL [--prompt TEXT] [--watch]      … or from a video URL
         [--safety TEXT] [--idempotency-key KEY]
  search WORDS [--first N] [--after CURSOR]       find your characters by the words of their prompt
  task ID [--watch]                               show a task, or follow it until SUCCESS or FAIL
  ${USAGE_LINE}

Options:
  --endpoint URL   the gateway's GraphQL URL (default: $CHARANIM_ENDPOINT or ${DEFAULT_ENDPOINT})
  --key KEY        the API key (default: $CHARANIM_API_KEY, which keeps it out of the process list)
  --watch          follow the task live and print its character id at the end
  -h, --help       this text
  --version        the client's version

Exit status: 0 on success, 1 when the task fails, the gateway refuses the request or cannot be
reached, 2 on a command line it cannot run (bad usage, or a --video that is not a readable file).`;

export type Command =
  | {
      name: 'create';
      video: { path: string } | { url: string };
      prompt?: string;
      safetyInstruction?: string;
      idempotencyKey?: string;
      watch: boolean;
    }
  | { name: 'search'; words: string; first?: number; after?: string }
  | { name: 'task'; id: string; watch: boolean }
  | { name: 'usage' }
  | { name: 'help' }
  | { name: 'version' };

export interface Invocation {
  endpoint: string;
  apiKey: string | undefined;
  command: Command;
}

/** The command line does not say what to do; the message says why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const options = {
  endpoint: { type: 'string' },
  key: { type: 'string' },
  video: { type: 'string' },
  url: { type: 'string' },
  prompt: { type: 'string' },
  safety: { type: 'string' },
  'idempotency-key': { type: 'string' },
  first: { type: 'string' },
  after: { type: 'string' },
  watch: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parse>['values'];

const parse = (args: string[]) =>
  parseArgs({ args, options, allowPositionals: true, strict: true });

/** Which options each command takes, beside the global ones. */
const accepted: Record<Exclude<Command['name'], 'help' | 'version'>, (keyof Values)[]> = {
  create: ['video', 'url', 'prompt', 'safety', 'idempotency-key', 'watch'],
  search: ['first', 'after'],
  task: ['watch'],
  usage: [],
};
const globalOptions: (keyof Values)[] = ['endpoint', 'key', 'help', 'version'];

export function parseInvocation(
  args: string[],
  env: Record<string, string | undefined>,
): Invocation {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError(parseArgsProblem(error as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  const endpoint = values.endpoint ?? env.CHARANIM_ENDPOINT ?? DEFAULT_ENDPOINT;
  if (!URL.canParse(endpoint) || !/^https?:/i.test(endpoint)) {
    throw new UsageError(`--endpoint must be an http(s) URL, not ${endpoint}`);
  }
  const apiKey = values.key ?? (env.CHARANIM_API_KEY || undefined);
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return { endpoint, apiKey, command: { name: 'help' } };
  if (values.version) return { endpoint, apiKey, command: { name: 'version' } };
  // Asked for nothing, it cannot do anything: that is a command line it cannot run.
  if (name === undefined)
    throw new UsageError('no command given: use create, search, task or usage');
  if (!(name in accepted)) {
    throw new UsageError(`unknown command ${name}: use create, search, task or usage`);
  }
  const stray = (Object.keys(values) as (keyof Values)[]).filter(
    (option) =>
      !globalOptions.includes(option) &&
      !accepted[name as keyof typeof accepted].includes(option) &&
      values[option] !== false,
  );
  if (stray.length > 0) throw new UsageError(`${name} does not take --${stray.join(', --')}`);
  if (name === 'usage') {
    if (rest.length > 0) throw new UsageError(`usage takes no argument, not ${rest[0]}`);
    return { endpoint, apiKey, command: { name } };
  }
  return {
    endpoint,
    apiKey,
    command: commandFrom(name as 'create' | 'search' | 'task', rest, values),
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

function commandFrom(name: 'create' | 'search' | 'task', rest: string[], values: Values): Command {
  switch (name) {
    case 'create': {
      if (rest.length > 0) throw new UsageError(`create takes no argument, not ${rest[0]}`);
      if ((values.video === undefined) === (values.url === undefined)) {
        throw new UsageError('create needs exactly one of --video FILE and --url URL');
      }
      return {
        name,
        video: values.video !== undefined ? { path: values.video } : { url: values.url as string },
        ...(values.prompt !== undefined && { prompt: values.prompt }),
        ...(values.safety !== undefined && { safetyInstruction: values.safety }),
        ...(values['idempotency-key'] !== undefined && {
          idempotencyKey: values['idempotency-key'],
        }),
        watch: values.watch,
      };
    }
    case 'search': {
      const words = rest.join(' ').trim();
      if (!words) throw new UsageError('search needs the words to look for');
      const first = values.first === undefined ? undefined : Number(values.first);
      if (first !== undefined && !(Number.isInteger(first) && first > 0)) {
        throw new UsageError(`--first must be a positive whole number, not ${values.first}`);
      }
      return {
        name,
        words,
        ...(first !== undefined && { first }),
        ...(values.after !== undefined && { after: values.after }),
      };
    }
    case 'task': {
      if (rest.length !== 1) throw new UsageError('task needs exactly one task id');
      return { name, id: rest[0] as string, watch: values.watch };
    }
  }
}
