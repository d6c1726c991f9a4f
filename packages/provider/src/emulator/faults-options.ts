import { z } from 'zod';

/**
 * Seeded, probabilistic misbehaviour of the emulator, for chaos runs. Every field is optional and
 * every default is "no fault". A rate is a probability from 0 (never) to 1 (always), drawn per
 * call, per created task or per callback from a PRNG seeded with `seed`, so the same seed and the
 * same sequence of calls give the same faults. The one-off steering of tests (`failNext`,
 * `delayNext`, `resetNext`, `setNextOutcome`, `setCallbackMode`) takes precedence over them.
 */
export interface EmulatorFaults {
  /** Seeds the PRNG. Default: a random seed, reported by `GET /emulator/stats`. */
  seed?: number;
  /** The chance that a finished task's callback is never sent. */
  callbackDropRate?: number;
  /** The chance that a finished task's callback is sent twice, the second copy a little later. */
  callbackDuplicateRate?: number;
  /**
   * `[min, max]`: each callback copy waits a random time in this range (whole ms) before it is
   * sent, so that callbacks of different tasks arrive out of order. Copies of a duplicated
   * callback draw their delays independently.
   */
  callbackDelayMs?: [min: number, max: number];
  /**
   * Retries a callback POST that fails (no connection, a timeout or a 5xx answer), as a real
   * provider might: at most `attempts` POSTs in all (default 5), `delayMs` apart (default 500).
   * Without it a failed POST is not retried.
   */
  callbackRetry?: { attempts?: number; delayMs?: number };
  /**
   * After every `every` API calls (createTask, recordInfo, credit and upload counted together),
   * the next `length` calls are answered with code 429 (msg "rate limited", in an HTTP 200).
   */
  rateLimitBursts?: { every: number; length: number };
  /** The chance that a recordInfo call is answered with code 455 (maintenance). */
  maintenanceRate?: number;
  /** The chance that an API call is answered only after `slowMs`. */
  slowRate?: number;
  /** How long a slow call is held. Default 1000. */
  slowMs?: number;
  /**
   * The chance that a recordInfo or credit call has its connection destroyed without an answer.
   * Never a createTask: the caller could not tell whether the task exists, and a chaos run must be
   * able to count the provider's tasks exactly. Nor an upload.
   */
  resetRate?: number;
  /** The chance that a created task ends `fail` (failCode "500") instead of success. */
  failRate?: number;
}

const rate = z.number().min(0).max(1).optional();
const ms = z.number().int().min(0);

/** Validates {@link EmulatorFaults}; unknown keys are refused, so that a typo is not ignored. */
export const emulatorFaults = z.strictObject({
  seed: z.number().int().optional(),
  callbackDropRate: rate,
  callbackDuplicateRate: rate,
  callbackDelayMs: z
    .tuple([ms, ms])
    .refine(([min, max]) => min <= max, 'must be [min, max] with min ≤ max')
    .optional(),
  callbackRetry: z
    .strictObject({ attempts: z.number().int().min(1).optional(), delayMs: ms.optional() })
    .optional(),
  rateLimitBursts: z
    .strictObject({ every: z.number().int().min(1), length: z.number().int().min(0) })
    .optional(),
  maintenanceRate: rate,
  slowRate: rate,
  slowMs: ms.optional(),
  resetRate: rate,
  failRate: rate,
}) satisfies z.ZodType<EmulatorFaults>;

/** Reads faults written as a JSON object (as in `EMULATOR_FAULTS`); a string says what is wrong. */
export function parseFaultsJson(text: string): EmulatorFaults | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const parsed = emulatorFaults.safeParse(value);
  return parsed.success ? parsed.data : z.prettifyError(parsed.error);
}
