import { z } from 'zod';
import { ProviderError } from './errors.ts';

/** A whole number that kie.ai may send as a number or as a numeric string. */
export const wholeNumber = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** The JSON value of a body; `undefined` when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `{ code, msg, data }` wrapper around every kie.ai answer and callback. */
export interface Envelope {
  /** Absent when the body carries no code; the HTTP status decides then. */
  code: number | undefined;
  message: string;
  data: unknown;
}

const envelopeSchema = z.looseObject({
  code: wholeNumber.optional().catch(undefined),
  msg: z.unknown().optional(),
  message: z.unknown().optional(),
  data: z.unknown().optional(),
});

/** Reads an envelope; `undefined` when the value is not a JSON object. */
export function readEnvelope(body: unknown): Envelope | undefined {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, msg, message, data } = parsed.data;
  // kie.ai's pages name the message `msg` on some endpoints and `message` on others.
  const text = [msg, message].find((value) => typeof value === 'string') ?? '';
  return { code, message: text, data };
}

/** Parses the `data` of a successful answer; a mismatch is a provider failure, not a bug of ours. */
export function parseProviderData<Schema extends z.ZodType>(
  schema: Schema,
  data: unknown,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new ProviderError(`kie.ai sent a malformed ${what}: ${z.prettifyError(parsed.error)}`, {
    code: 'UNKNOWN',
    retryable: false,
  });
}
