import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Side = 'gateway' | 'baseline';

/** A change as one subscriber received it. */
export interface Arrival {
  /** The task's row id. */
  task: string;
  /** When it arrived, in the clock of fanout-wire.ts's `now()`. */
  at: number;
}

/** What the parent asks of a subscriber process; each request is answered once, by its `seq`. */
export type Request =
  | { op: 'open'; count: number }
  | { op: 'follow'; tasks: string[] }
  | { op: 'collect'; expected: number; timeoutMs: number }
  | { op: 'unfollow' }
  | { op: 'disconnect' };

export type Answer = { seq: number; error?: string; arrivals?: Arrival[]; sample?: unknown };

const script = fileURLToPath(new URL('fanout-subscriber.ts', import.meta.url));

/**
 * A process holding subscribers of one server (fanout-subscriber.ts), so that they do not share
 * the server's CPU, nor the process that sends the callbacks.
 */
export class Subscribers {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<
    number,
    { resolve: (answer: Answer) => void; reject: (error: Error) => void }
  >();
  #seq = 0;

  constructor(side: Side, url: string) {
    this.#child = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', FANOUT_SIDE: side, FANOUT_URL: url },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (answer: Answer) => {
      const waiter = this.#waiting.get(answer.seq);
      this.#waiting.delete(answer.seq);
      if (answer.error) waiter?.reject(new Error(answer.error));
      else waiter?.resolve(answer);
    });
    this.#child.on('exit', (code) => {
      for (const waiter of this.#waiting.values()) {
        waiter.reject(new Error(`the ${side} subscriber process exited (${code})`));
      }
      this.#waiting.clear();
    });
  }

  #ask(request: Request): Promise<Answer> {
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject });
      this.#child.send({ ...request, seq });
    });
  }

  /** Opens `count` more connections. */
  async open(count: number): Promise<void> {
    await this.#ask({ op: 'open', count });
  }

  /** Connection `i` follows `tasks[i]`; resolves once the server has every subscription. */
  async follow(tasks: string[]): Promise<void> {
    await this.#ask({ op: 'follow', tasks });
  }

  /**
   * The changes received since the last collection, once `expected` of them arrived or after
   * `timeoutMs`, and one message's payload as a sample of what the server sent.
   */
  async collect(
    expected: number,
    timeoutMs: number,
  ): Promise<{ arrivals: Arrival[]; sample: unknown }> {
    const { arrivals = [], sample } = await this.#ask({ op: 'collect', expected, timeoutMs });
    return { arrivals, sample };
  }

  /** Ends the subscriptions that no change ended. */
  async unfollow(): Promise<void> {
    await this.#ask({ op: 'unfollow' });
  }

  /** Closes every connection. */
  async disconnect(): Promise<void> {
    await this.#ask({ op: 'disconnect' });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }
}
