import type { KieOperation } from './client.ts';
import { codeFromNumeric, ProviderError, type ProviderErrorCode } from './errors.ts';
import { createdTaskSchema } from './task-record.ts';
import type { Envelope } from './wire.ts';

/** An answer that is not a success, as the client read it. */
export interface FailedAnswer {
  status: number;
  body: string;
  /** The body read as kie.ai's envelope; undefined when it is not a JSON object. */
  envelope: Envelope | undefined;
}

/** What the client adds to an error: the key it must hide, the User-Agent it sent. */
export interface AnswerContext {
  apiKey: string;
  userAgent: string;
  /** Whether the call makes something at kie.ai (createTask, a same-request model). */
  creates: boolean;
}

/**
 * kie.ai answers several refusals with code 500 and tells them apart only in its message. The
 * message decides only when the code itself names no particular failure.
 */
const byMessage: ReadonlyArray<readonly [RegExp, ProviderErrorCode]> = [
  [/temporarily paused/i, 'MODEL_PAUSED'],
  [/not supported/i, 'MODEL_UNKNOWN'],
  [/is required|not within the range of allowed options/i, 'VALIDATION'],
];

/** The failures that may pass when the same request is sent again later, unchanged. */
const passing: ReadonlySet<ProviderErrorCode> = new Set([
  'RATE_LIMITED',
  'MAINTENANCE',
  'SERVER_ERROR',
  'UPSTREAM_TIMEOUT',
]);

/** The ProviderError an answer stands for, with whether it surely refused the request. */
export function answerError(
  operation: KieOperation,
  { status, body, envelope }: FailedAnswer,
  context: AnswerContext,
): ProviderError {
  if (status === 403 && envelope?.code === undefined) {
    return blockedError(operation, body, context.userAgent);
  }
  const providerCode = envelope?.code ?? status;
  // kie.ai said no in its own envelope without naming a task, or HTTP said the request was refused.
  const refused =
    envelope?.code !== undefined
      ? !createdTaskSchema.safeParse(envelope.data).success
      : status >= 400 && status < 500;
  const code = codeOf(providerCode, envelope?.message ?? '');
  // Any other createTask answer may hide a created task: sending it again could make a second one.
  const retryable = (refused || !context.creates) && passing.has(code);
  // kie.ai's own words go into the message: make sure they never carry the key back out.
  const detail = envelope
    ? envelope.message.replaceAll(context.apiKey, '[redacted]')
    : 'a body that is not a JSON envelope';
  return new ProviderError(`kie.ai ${operation} answered ${providerCode}: ${detail}`, {
    code,
    retryable,
    providerCode,
    refused,
  });
}

function codeOf(providerCode: number, message: string): ProviderErrorCode {
  const byCode = codeFromNumeric(providerCode);
  if (byCode !== 'SERVER_ERROR' && byCode !== 'UNKNOWN') return byCode;
  return byMessage.find(([pattern]) => pattern.test(message))?.[1] ?? byCode;
}

/**
 * A 403 that is not kie.ai's envelope comes from the CDN in front of both hosts, which turns away
 * default library User-Agents (its page says "error code: 1010"). It looks like a bad key and is not.
 */
function blockedError(operation: KieOperation, body: string, userAgent: string): ProviderError {
  const cdnCode = /error code:?\s*(\d+)/i.exec(body)?.[1];
  const said = cdnCode === undefined ? '' : ` (error code: ${cdnCode})`;
  return new ProviderError(
    `kie.ai's CDN refused ${operation} with HTTP 403${said} before kie.ai saw the API key, so the key is not the cause: check that the User-Agent names this client (it sent "${userAgent}"; a default one of an HTTP library is refused), then that no proxy, VPN or block of this machine's IP address is in the way`,
    { code: 'BLOCKED', retryable: false, providerCode: 403, refused: true },
  );
}
