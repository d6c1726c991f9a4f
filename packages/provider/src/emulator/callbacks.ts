import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { signWebhook } from '../webhook.ts';

/** What happens to completion callbacks: sent once, never, or twice (kie.ai may do any). */
export const callbackModes = ['deliver', 'drop', 'duplicate'] as const;
export type CallbackMode = (typeof callbackModes)[number];

/** The copies of one task's callback to send. */
export interface CallbackPlan {
  /** One entry per copy: how long it waits before its first POST. Empty when dropped. */
  delaysMs: number[];
  /** Copies withheld on purpose: 1 when the callback is dropped, else 0. */
  dropped: number;
}

/** At most `attempts` POSTs per copy, `delayMs` apart, while they fail (no answer or a 5xx). */
export interface CallbackRetry {
  attempts: number;
  delayMs: number;
}

/** What became of one task's callback copies so far. */
export interface CallbackCounts {
  /** Copies whose first POST went out. */
  sent: number;
  /** Copies withheld on purpose (drop fault or drop mode). */
  dropped: number;
  /** Copies the receiver answered with a 2xx. */
  delivered: number;
  /** Copies given up: every attempt failed, a 4xx answer, or the emulator closed. */
  failed: number;
  /** Copies still waiting for their delay, in flight, or between retries. */
  pending: number;
  /** POSTs made, retries included. */
  attempts: number;
}

const DELIVERY_TIMEOUT_MS = 10_000;

/** Posts completion callbacks, signed when a key is set, each copy after its own delay. */
export class CallbackSender {
  readonly #hmacKey: string | undefined;
  readonly #retry: CallbackRetry;
  readonly #closing = new AbortController();
  readonly #counts = new Map<string, CallbackCounts>();

  /** Without `retry`, a failed POST stays failed: the gateway's poller is there for it. */
  constructor(hmacKey: string | undefined, retry: CallbackRetry = { attempts: 1, delayMs: 0 }) {
    this.#hmacKey = hmacKey;
    this.#retry = retry;
    // Every copy waiting or in flight listens for the close, and there may be thousands: more
    // than 10 is the sender's normal load, not the leak Node's warning is meant to catch.
    setMaxListeners(0, this.#closing.signal);
  }

  /** Sends in the background; `taskId` is what the signature covers and what counts are kept by. */
  send(url: string, taskId: string, body: unknown, plan: CallbackPlan): void {
    const counts = this.#countsFor(taskId);
    counts.dropped += plan.dropped;
    const text = JSON.stringify(body);
    for (const delayMs of plan.delaysMs) {
      counts.pending += 1;
      void this.#deliver(url, taskId, text, delayMs, counts);
    }
  }

  /** What became of a task's callbacks; all zero for a task that sent none. */
  countsOf(taskId: string): CallbackCounts {
    return { ...this.#countsFor(taskId, false) };
  }

  /** Aborts deliveries in flight and stops later ones. */
  close(): void {
    this.#closing.abort();
  }

  #countsFor(taskId: string, keep = true): CallbackCounts {
    const found = this.#counts.get(taskId);
    if (found) return found;
    const counts = { sent: 0, dropped: 0, delivered: 0, failed: 0, pending: 0, attempts: 0 };
    if (keep) this.#counts.set(taskId, counts);
    return counts;
  }

  async #deliver(
    url: string,
    taskId: string,
    body: string,
    delayMs: number,
    counts: CallbackCounts,
  ): Promise<void> {
    let delivered = false;
    try {
      await this.#wait(delayMs);
      counts.sent += 1;
      for (let attempt = 1; attempt <= this.#retry.attempts; attempt++) {
        if (attempt > 1) await this.#wait(this.#retry.delayMs);
        counts.attempts += 1;
        const status = await this.#post(url, taskId, body);
        if (status !== undefined && status < 500) {
          delivered = status < 300;
          break;
        }
      }
    } catch {
      // close() aborted a wait
    } finally {
      counts.pending -= 1;
      if (delivered) counts.delivered += 1;
      else counts.failed += 1;
    }
  }

  /** Waits, unless the sender is closing: then it throws. */
  async #wait(ms: number): Promise<void> {
    this.#closing.signal.throwIfAborted();
    if (ms > 0) await sleep(ms, undefined, { signal: this.#closing.signal });
  }

  /** The receiver's HTTP status, or undefined when there was none (refused, timed out). */
  async #post(url: string, taskId: string, body: string): Promise<number | undefined> {
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
      return response.status;
    } catch {
      return undefined;
    }
  }
}
