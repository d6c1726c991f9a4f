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

/**
 * Nothing at the endpoint would talk to the client: no server listens there, its name does not
 * resolve, the connection was refused or broke, or it refused the WebSocket upgrade. Unlike a
 * GatewayError, the gateway never saw the request.
 */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';

  constructor(
    readonly endpoint: string,
    /** The system's code where there is one (`ECONNREFUSED`, `ENOTFOUND`, …), else what failed. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot reach ${endpoint}: ${reason}`, options);
  }
}

/**
 * Something answered at the endpoint, but not GraphQL: a 404, a web page, a health check. Nearly
 * always the URL lacks the gateway's `/graphql` path (`http://127.0.0.1:4000` for
 * `http://127.0.0.1:4000/graphql`), so the message says what the URL should look like.
 */
export class NotGraphQLError extends Error {
  override readonly name = 'NotGraphQLError';

  constructor(
    readonly endpoint: string,
    /** The HTTP status it answered (for graphql-ws, the status that refused the upgrade). */
    readonly status: number,
  ) {
    super(
      `${endpoint} is not a GraphQL endpoint (it answered HTTP ${status}): the URL should end in /graphql, e.g. ${new URL('/graphql', endpoint).href}`,
    );
  }
}

/**
 * Whether an answer that is not GraphQL means a wrong URL: a 404, or a path that does not end in
 * /graphql. At a GraphQL path, anything else (a proxy's failure page) is the failure itself.
 */
export function wrongPath(endpoint: string, status: number): boolean {
  return status === 404 || !/\/graphql$/.test(new URL(endpoint).pathname);
}

/**
 * A failed fetch as an UnreachableError when the network failed it, else undefined. fetch says
 * only "fetch failed"; its cause says why, and a cause without a system error code (a request
 * body that could not be read, say) is not the endpoint's doing.
 */
export function unreachable(thrown: unknown, endpoint: string): UnreachableError | undefined {
  if (!(thrown instanceof TypeError)) return undefined;
  const code = systemCode(thrown.cause);
  return code ? new UnreachableError(endpoint, code, { cause: thrown }) : undefined;
}

/**
 * What graphql-ws throws, as an UnreachableError when no connection could be made, else as a
 * GatewayError: an error list, a close event, or the socket's error event. The events are plain
 * objects, not Errors: `ws` hands graphql-ws an ErrorEvent whose `error` holds the cause.
 */
export function subscriptionError(thrown: unknown, endpoint: string): Error {
  if (Array.isArray(thrown)) return new GatewayError(thrown as GraphQLErrorEntry[]);
  if (isCloseEvent(thrown)) {
    const message = thrown.reason || `the connection closed with code ${thrown.code}`;
    // The gateway closes a connection whose key it refuses with 4401, graphql-ws's Unauthorized.
    const code = thrown.code === 4401 ? 'UNAUTHENTICATED' : `CLOSED_${thrown.code}`;
    return new GatewayError([{ message, extensions: { code } }]);
  }
  if (isErrorEvent(thrown)) {
    // `ws` names the status of a refused upgrade only in its message.
    const refused = /^Unexpected server response: (\d+)$/.exec(thrown.error?.message ?? '');
    if (refused && wrongPath(endpoint, Number(refused[1]))) {
      return new NotGraphQLError(endpoint, Number(refused[1]));
    }
    const reason = systemCode(thrown.error) ?? (thrown.error?.message || thrown.message);
    return new UnreachableError(endpoint, reason || 'the WebSocket connection failed', {
      cause: thrown.error ?? thrown,
    });
  }
  if (thrown instanceof Error) return new GatewayError([{ message: thrown.message }]);
  return new GatewayError([{ message: String(thrown) }]);
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

/** A WebSocket `error` event; its fields are getters, so `in` finds them and `Object.keys` does not. */
function isErrorEvent(value: unknown): value is { message?: string; error?: Error } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    (value as { type?: unknown }).type === 'error'
  );
}

/** `ECONNREFUSED` and its kin, from an error or the first of an AggregateError's errors. */
function systemCode(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const { code } = cause as { code?: unknown };
  if (typeof code === 'string' && code) return code;
  if (cause instanceof AggregateError) return systemCode(cause.errors[0]);
  return undefined;
}
