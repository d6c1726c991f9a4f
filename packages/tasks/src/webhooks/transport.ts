/** What one POST to an endpoint got back. */
export interface WebhookAnswer {
  /** The HTTP status; null when no answer came (refused address, timeout, lost connection). */
  statusCode: number | null;
  /** The answer's first characters, or why there was none. */
  excerpt: string;
}

/**
 * How deliveries reach the network, given by the gateway: it owns the sockets and the address
 * policy (no private addresses, no redirects, bounded answers). Never throws for an endpoint's
 * failure: that is an answer.
 */
export interface WebhookTransport {
  /** Why an endpoint URL is refused (its host resolves to an address not allowed), or undefined. */
  check(url: URL): Promise<string | undefined>;
  post(url: string, headers: Record<string, string>, body: string): Promise<WebhookAnswer>;
}
