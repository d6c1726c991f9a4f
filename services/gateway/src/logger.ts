import { type Logger, pino } from 'pino';

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
  'webhookHmacKey',
  '*.webhookHmacKey',
  'DATABASE_URL',
  '*.DATABASE_URL',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: secretPaths, censor: '[redacted]' } }, destination);
}
