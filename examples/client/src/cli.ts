import { parseInvocation, USAGE, UsageError } from './cli/args.ts';
import { runCommand } from './cli/commands.ts';
import { createClient } from './client.ts';
import { GatewayError } from './errors.ts';

/** `npm run cli -- --help`: create characters, follow tasks and search, from a terminal. */
async function main(): Promise<number> {
  let invocation: ReturnType<typeof parseInvocation>;
  try {
    invocation = parseInvocation(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const { endpoint, apiKey, command } = invocation;
  if (command.name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const client = createClient({ endpoint, apiKey });
  try {
    return await runCommand(client, command, process);
  } catch (error) {
    process.stderr.write(`${explain(error, endpoint)}\n`);
    return 1;
  } finally {
    await client.dispose();
  }
}

function explain(error: unknown, endpoint: string): string {
  if (error instanceof GatewayError)
    return `error${error.code ? ` ${error.code}` : ''}: ${error.message}`;
  const cause = (error as { cause?: unknown }).cause;
  // fetch says only "fetch failed"; the cause says whether nothing listens or the name is wrong.
  if (error instanceof TypeError && cause instanceof Error) {
    return `cannot reach ${endpoint}: ${(cause as { code?: string }).code ?? cause.message}`;
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
