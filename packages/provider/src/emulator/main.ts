/**
 * Runs the kie.ai emulator as its own process: `npm run emulator -w @charanim/provider`.
 * Point the gateway's KIE_API_BASE_URL and KIE_UPLOAD_BASE_URL at the URL it prints.
 * `EMULATOR_FAULTS` takes a JSON object of {@link EmulatorFaults}, such as
 * `{"seed":7,"callbackDropRate":0.2,"rateLimitBursts":{"every":50,"length":3}}`.
 * `EMULATOR_PAUSED_MODELS` takes a comma-separated list of models to answer as paused.
 */
import { z } from 'zod';
import { startEmulator } from './emulator.ts';
import { type EmulatorFaults, parseFaultsJson } from './faults-options.ts';

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
    /** createTask calls taken in any 10 s before a 429, as kie.ai's 20; 0 for no limit. */
    EMULATOR_CREATE_LIMIT: z.coerce.number().int().min(0).default(20),
    /** Seeded random faults, as a JSON object; unset, none. */
    EMULATOR_FAULTS: z.string().optional(),
    /** Models whose createTask answers "This interface is temporarily paused"; unset, none. */
    EMULATOR_PAUSED_MODELS: z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((model) => model.trim())
          .filter(Boolean),
      ),
  })
  .safeParse(process.env);

if (!env.success) {
  console.error(`kie.ai emulator: bad environment\n${z.prettifyError(env.error)}`);
  process.exit(1);
}

let faults: EmulatorFaults | undefined;
if (env.data.EMULATOR_FAULTS !== undefined && env.data.EMULATOR_FAULTS.trim() !== '') {
  const parsed = parseFaultsJson(env.data.EMULATOR_FAULTS);
  if (typeof parsed === 'string') {
    console.error(`kie.ai emulator: bad EMULATOR_FAULTS\n${parsed}`);
    process.exit(1);
  }
  faults = parsed;
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
  faults,
  pausedModels: env.data.EMULATOR_PAUSED_MODELS,
  createLimit: env.data.EMULATOR_CREATE_LIMIT,
});
console.log(`kie.ai emulator listening on ${emulator.url}`);
if (faults) {
  const { seed } = emulator.stats();
  console.log(`kie.ai emulator faults: ${JSON.stringify({ ...faults, seed })}`);
}
if (env.data.EMULATOR_PAUSED_MODELS.length > 0) {
  console.log(`kie.ai emulator paused models: ${env.data.EMULATOR_PAUSED_MODELS.join(', ')}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void emulator.close().then(() => process.exit(0)));
}
