import { DatabaseOpenError } from '@charanim/db';
import { StartRefused } from './auth/set-up.ts';
import { loadConfigOrExit } from './config.ts';
import { startGateway } from './gateway.ts';
import { logDestination } from './log-format.ts';
import { createLogger } from './logger.ts';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL, logDestination(config.LOG_FORMAT));
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({ config, logger });
  } catch (error) {
    if (!(error instanceof StartRefused || error instanceof DatabaseOpenError)) throw error;
    logger.fatal(error.message);
    process.exit(78); // EX_CONFIG
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.stop(SHUTDOWN_DEADLINE_MS).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `the gateway could not start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
