import { Writable } from 'node:stream';
import { createLogger, type Gateway, loadConfig, startGateway } from '@charanim/gateway';
import { type Emulator, type EmulatorOptions, startEmulator } from '@charanim/provider/emulator';
import { freePort } from '@charanim/test-support';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const TEST_API_KEY = 'test-kie-api-key';
export const TEST_HMAC_KEY = 'test-webhook-hmac-key';

export interface TestGatewayOptions {
  /** Sign callbacks and require signatures (default true). */
  signed?: boolean;
  /** Send a callback URL (default true). */
  callbacks?: boolean;
  emulator?: EmulatorOptions;
  /** Extra or overriding environment for the gateway. */
  env?: Record<string, string>;
  startPoller?: boolean;
  /** The database to run on, left as it is on close; default a fresh one, dropped on close. */
  database?: TestDatabase;
}

export interface TestGateway {
  gateway: Gateway;
  emulator: Emulator;
  /** http://host:port/graphql */
  graphqlUrl: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  webhookUrl: string;
  /** Every log line the gateway wrote, for assertions. */
  logs: string[];
  close(): Promise<void>;
}

/** A gateway on a fresh database, talking to its own emulator the way it talks to kie.ai. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const signed = options.signed ?? true;
  const database: TestDatabase = options.database ?? (await createTestDatabase());
  const emulator = await startEmulator({
    apiKey: TEST_API_KEY,
    ...(signed && { webhookHmacKey: TEST_HMAC_KEY }),
    timing: { waitingMs: 150, queuingMs: 150, generatingMs: 150 },
    ...options.emulator,
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    KIE_API_KEY: TEST_API_KEY,
    KIE_API_BASE_URL: emulator.url,
    KIE_UPLOAD_BASE_URL: emulator.url,
    ...(signed && { KIE_WEBHOOK_HMAC_KEY: TEST_HMAC_KEY }),
    ...((options.callbacks ?? true) && { PUBLIC_URL: base }),
    LOG_LEVEL: 'debug',
    KIE_TIMEOUT_MS: '2000',
    POLL_INTERVAL_MS: '100',
    POLL_MAX_INTERVAL_MS: '400',
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      config,
      logger: createLogger(config.LOG_LEVEL, sink),
      ...(options.startPoller !== undefined && { startPoller: options.startPoller }),
    });
  } catch (error) {
    // A start that is meant to fail must not leave its database and emulator behind.
    await emulator.close();
    if (!options.database) await database.drop();
    throw error;
  }
  return {
    gateway,
    emulator,
    graphqlUrl: `${gateway.url}/graphql`,
    wsUrl: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
    webhookUrl: `${gateway.url}/webhooks/kie`,
    logs,
    async close() {
      await gateway.stop(1_000);
      await emulator.close();
      if (!options.database) await database.drop();
    },
  };
}
