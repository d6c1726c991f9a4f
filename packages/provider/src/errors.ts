/** The provider's failure classes, as the GraphQL `ProviderErrorCode` enum names them. */
export const providerErrorCodes = [
  'UNAUTHORIZED',
  'INSUFFICIENT_CREDITS',
  'NOT_FOUND',
  'VALIDATION',
  'RATE_LIMITED',
  'MAINTENANCE',
  'SERVER_ERROR',
  'GENERATION_FAILED',
  'FEATURE_DISABLED',
  'MODEL_PAUSED',
  'MODEL_UNKNOWN',
  'UPSTREAM_TIMEOUT',
  'USAGE_CAP_EXCEEDED',
  'BLOCKED',
  'UNKNOWN',
] as const;
export type ProviderErrorCode = (typeof providerErrorCodes)[number];

/** The numeric codes of kie.ai's table, mapped to our codes. */
const byNumericCode: Record<number, ProviderErrorCode> = {
  401: 'UNAUTHORIZED',
  402: 'INSUFFICIENT_CREDITS',
  404: 'NOT_FOUND',
  408: 'UPSTREAM_TIMEOUT',
  422: 'VALIDATION',
  429: 'RATE_LIMITED',
  433: 'USAGE_CAP_EXCEEDED',
  455: 'MAINTENANCE',
  500: 'SERVER_ERROR',
  501: 'GENERATION_FAILED',
  505: 'FEATURE_DISABLED',
};

export function codeFromNumeric(status: number): ProviderErrorCode {
  return byNumericCode[status] ?? (status >= 500 ? 'SERVER_ERROR' : 'UNKNOWN');
}

export interface ProviderErrorOptions {
  code: ProviderErrorCode;
  /** Whether the same call may succeed later without any change by the caller. */
  retryable: boolean;
  /** The numeric code the provider answered with (body code, else HTTP status), when there was an answer. */
  providerCode?: number;
  /**
   * kie.ai surely made nothing of the request: it answered a refusal (its envelope with a non-200
   * code and no task id, or an HTTP 4xx such as its CDN's block), or the request never reached it.
   * Default false: the request may have been acted on.
   */
  refused?: boolean;
  cause?: unknown;
}

/** A failure of the provider, or of reaching it. Its message never carries the API key. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly providerCode: number | undefined;
  /** See {@link ProviderErrorOptions.refused}. */
  readonly refused: boolean;

  constructor(message: string, options: ProviderErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable;
    this.providerCode = options.providerCode;
    this.refused = options.refused ?? false;
  }
}
