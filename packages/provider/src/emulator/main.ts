/**
 * Runs the kie.ai emulator as its own process: `npm run emulator -w @charanim/provider`.
 * Point the gateway's KIE_API_BASE_URL and KIE_UPLOAD_BASE_URL at the URL it prints.
 */
import { z } from 'zod';
import { startEmulator } from './emulator.ts';

const milliseconds = z.coerce.number().int().min(0).default(1500);

const env = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** The key clients must send; without it any request is accepted. */
    KIE_API_KEY: z.string().min(1).optional(),
    /** Signs the completion callbacks, as kie.ai does when a key is set in its console. */
    KIE_WEBHOOK_HMAC_KEY: z.string().min(1).optional(),
    EMULATOR_WAITING_MS: milliseconds,
    EMULATOR_QUEUING_MS: milliseconds,
    EMULATOR_GENERATING_MS: milliseconds,
    EMULATOR_CREDITS: z.coerce.number().int().min(0).default(1000),
  })
  .safeParse(process.env);

if (!env.success) {
  console.error(`kie.ai emulator: bad environment\n${z.prettifyError(env.error)}`);
  process.exit(1);
}

const emulator = await startEmulator({
  port: env.data.PORT,
  host: env.data.HOST,
  apiKey: env.data.KIE_API_KEY,
  webhookHmacKey: env.data.KIE_WEBHOOK_HMAC_KEY,
  timing: {
    waitingMs: env.data.EMULATOR_WAITING_MS,
    queuingMs: env.data.EMULATOR_QUEUING_MS,
    generatingMs: env.data.EMULATOR_GENERATING_MS,
  },
  credits: env.data.EMULATOR_CREDITS,
});
console.log(`kie.ai emulator listening on ${emulator.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void emulator.close().then(() => process.exit(0)));
}
