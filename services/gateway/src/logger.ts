import { AsyncLocalStorage } from 'node:async_hooks';
import { type Logger, pino } from 'pino';
import { serializeError } from './error-serializer.ts';

export type { Logger };

/** Paths that may hold a secret, wherever a log call puts them. */
const secretPaths = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'apiKey',
  '*.apiKey',
  'KIE_API_KEY',
  '*.KIE_API_KEY',
  'KIE_WEBHOOK_HMAC_KEY',
  '*.KIE_WEBHOOK_HMAC_KEY',
  'METRICS_TOKEN',
  '*.METRICS_TOKEN',
  'webhookHmacKey',
  '*.webhookHmacKey',
  'DATABASE_URL',
  '*.DATABASE_URL',
];

/**
 * The HTTP request being handled, if any. Every log line written while handling it carries its
 * `reqId`, from whichever component writes it (resolvers, the kie.ai client, the webhook route),
 * without a logger passed through each of them.
 */
export const requestLogContext = new AsyncLocalStorage<{ reqId: string }>();

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: secretPaths, censor: '[redacted]' },
      serializers: { err: serializeError },
      // A new object each time: pino merges the line's own fields into what mixin returns.
      mixin: () => {
        const context = requestLogContext.getStore();
        return context ? { reqId: context.reqId } : {};
      },
    },
    destination,
  );
}
