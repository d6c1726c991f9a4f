import { readFileSync } from 'node:fs';
import { parseInvocation, USAGE, UsageError } from './cli/args.ts';
import { FileArgumentError } from './cli/local-file.ts';
import { createClient } from './client.ts';
import { GatewayError, NotGraphQLError, UnreachableError } from './errors.ts';

/** `npm run cli -- --help`: make characters and videos, follow tasks, list and search, from a terminal. */
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
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const client = createClient({ endpoint, apiKey });
  try {
    return await command.run(client, process);
  } catch (error) {
    // A file the command line names that cannot be sent is a command line it cannot run.
    if (error instanceof FileArgumentError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(`${explain(error, endpoint)}\n`);
    return 1;
  } finally {
    await client.dispose();
  }
}

function explain(error: unknown, endpoint: string): string {
  if (error instanceof GatewayError)
    return `error${error.code ? ` ${error.code}` : ''}: ${error.message}`;
  if (error instanceof UnreachableError || error instanceof NotGraphQLError) return error.message;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  // fetch says only "fetch failed"; without a system error code the cause is the whole story.
  if (error instanceof TypeError && cause)
    return `the request to ${endpoint} failed: ${cause.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

function version(): string {
  const { name, version } = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { name: string; version: string };
  return `${name} ${version}`;
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
