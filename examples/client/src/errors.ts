/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/**
 * The gateway answered with GraphQL errors instead of data: a bad key (`UNAUTHENTICATED`), an
 * unknown id (`NOT_FOUND`), a bad argument (`BAD_USER_INPUT`), or an HTTP failure without a
 * GraphQL body. Failures the caller can act on, such as a `ValidationError`, are not thrown: they
 * come back as typed members of the mutation's result union.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  /** `extensions.code` of the first error, when the gateway gave one. */
  readonly code: string | undefined;

  constructor(
    readonly errors: readonly GraphQLErrorEntry[],
    /** The HTTP status, for an answer over HTTP. */
    readonly status?: number,
  ) {
    super(errors.map((error) => error.message).join('; ') || `HTTP ${status}`);
    this.code = errors[0]?.extensions?.code;
  }
}

/** What graphql-ws throws (an error list, a close event or an Error) as a GatewayError. */
export function subscriptionError(thrown: unknown): GatewayError {
  if (Array.isArray(thrown)) return new GatewayError(thrown as GraphQLErrorEntry[]);
  if (isCloseEvent(thrown)) {
    const message = thrown.reason || `the connection closed with code ${thrown.code}`;
    // The gateway closes a connection whose key it refuses with 4401, graphql-ws's Unauthorized.
    const code = thrown.code === 4401 ? 'UNAUTHENTICATED' : `CLOSED_${thrown.code}`;
    return new GatewayError([{ message, extensions: { code } }]);
  }
  if (thrown instanceof Error) return new GatewayError([{ message: thrown.message }]);
  return new GatewayError([{ message: String(thrown) }]);
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}
