import { KieClient } from '@charanim/provider';
import { type Emulator, startEmulator } from '@charanim/provider/emulator';
import { type Config, KIE_API_URL } from './config.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics/registry.ts';

export interface ProviderConnection {
  client: KieClient;
  /** The built-in emulator, when `KIE_API_KEY` is unset. */
  emulator: Emulator | undefined;
}

/** The key the gateway and its built-in emulator share; it guards nothing outside this process. */
const EMULATOR_API_KEY = 'emulator-local-key';

/** kie.ai itself when a key is configured, the built-in emulator otherwise. */
export async function connectProvider(
  config: Config,
  logger: Logger,
  metrics: Metrics,
): Promise<ProviderConnection> {
  const onCall: ConstructorParameters<typeof KieClient>[0]['onCall'] = (event) => {
    metrics.providerCalls.observe(
      { operation: event.operation, outcome: event.error?.code ?? 'ok' },
      event.durationMs / 1000,
    );
    if (event.error) {
      logger.warn(
        {
          operation: event.operation,
          attempt: event.attempt,
          code: event.error.code,
          durationMs: event.durationMs,
        },
        `kie.ai ${event.operation} failed: ${event.error.message}`,
      );
    } else {
      logger.debug({ operation: event.operation, durationMs: event.durationMs }, 'kie.ai call');
    }
  };
  if (config.KIE_API_KEY !== undefined) {
    const { KIE_API_BASE_URL: apiBaseUrl, KIE_UPLOAD_BASE_URL: uploadBaseUrl } = config;
    // A local emulator or a proxy must not read as kie.ai itself in the start log.
    logger.info(
      { apiBaseUrl, uploadBaseUrl },
      apiBaseUrl === KIE_API_URL
        ? `kie.ai: using the real API at ${apiBaseUrl}, uploads at ${uploadBaseUrl}`
        : `kie.ai: using the kie.ai API at ${apiBaseUrl} (KIE_API_BASE_URL), uploads at ${uploadBaseUrl}`,
    );
    return {
      client: new KieClient({
        apiKey: config.KIE_API_KEY,
        apiBaseUrl: config.KIE_API_BASE_URL,
        uploadBaseUrl: config.KIE_UPLOAD_BASE_URL,
        userAgent: config.KIE_USER_AGENT,
        timeoutMs: config.KIE_TIMEOUT_MS,
        onCall,
      }),
      emulator: undefined,
    };
  }
  const emulator = await startEmulator({
    apiKey: EMULATOR_API_KEY,
    ...(config.KIE_WEBHOOK_HMAC_KEY !== undefined && {
      webhookHmacKey: config.KIE_WEBHOOK_HMAC_KEY,
    }),
    // Short, so that a first run sees a task through every state within seconds.
    timing: { waitingMs: 800, queuingMs: 800, generatingMs: 1_400 },
  });
  logger.warn(
    { emulatorUrl: emulator.url },
    'kie.ai: KIE_API_KEY is unset, so tasks go to the built-in kie.ai emulator (no credits are spent, no real characters are made)',
  );
  return {
    client: new KieClient({
      apiKey: EMULATOR_API_KEY,
      apiBaseUrl: emulator.url,
      uploadBaseUrl: emulator.url,
      userAgent: config.KIE_USER_AGENT,
      timeoutMs: config.KIE_TIMEOUT_MS,
      onCall,
    }),
    emulator,
  };
}
