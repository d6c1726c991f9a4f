import { signWebhook } from '../webhook.ts';

/** What happens to completion callbacks: sent once, never, or twice (kie.ai may do any). */
export type CallbackMode = 'deliver' | 'drop' | 'duplicate';

const DELIVERY_TIMEOUT_MS = 10_000;
const timesSent: Record<CallbackMode, number> = { deliver: 1, drop: 0, duplicate: 2 };

/** Posts completion callbacks, signed when a key is set. Failed deliveries are not retried. */
export class CallbackSender {
  readonly #hmacKey: string | undefined;
  readonly #closing = new AbortController();

  constructor(hmacKey: string | undefined) {
    this.#hmacKey = hmacKey;
  }

  /** Sends in the background; `taskId` is what the signature covers. */
  send(url: string, taskId: string, body: unknown, mode: CallbackMode): void {
    void this.#deliver(url, taskId, JSON.stringify(body), timesSent[mode]);
  }

  /** Aborts deliveries in flight and stops later ones. */
  close(): void {
    this.#closing.abort();
  }

  async #deliver(url: string, taskId: string, body: string, times: number): Promise<void> {
    for (let sent = 0; sent < times && !this.#closing.signal.aborted; sent++) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.#hmacKey !== undefined) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        headers['x-webhook-timestamp'] = timestamp;
        headers['x-webhook-signature'] = signWebhook(taskId, timestamp, this.#hmacKey);
      }
      const signal = AbortSignal.any([
        this.#closing.signal,
        AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      ]);
      try {
        const response = await fetch(url, { method: 'POST', headers, body, signal });
        await response.arrayBuffer();
      } catch {
        // Like kie.ai: a lost callback stays lost, and the gateway's poller is there for it.
      }
    }
  }
}
