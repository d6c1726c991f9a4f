/**
 * The emulator's routes that tests can steer and whose calls it records; `immediate` is every
 * model that answers in the same request (Gemini Omni's character endpoint).
 */
export type EmulatorRoute =
  | 'createTask'
  | 'recordInfo'
  | 'credit'
  | 'upload'
  | 'immediate'
  | 'downloadUrl';

/** An envelope to answer instead of the real one. */
export interface StubbedEnvelope {
  code: number;
  /** Default: the meaning of `code` in kie.ai's table. */
  msg?: string;
  /** Default 200: kie.ai's habit of reporting failures in the body of an HTTP 200. */
  httpStatus?: number;
}

/** A body kie.ai did not write, such as a proxy's HTML error page, sent as it is. */
export interface StubbedBody {
  body: string;
  httpStatus: number;
}

/** What to answer instead of the real answer. */
export type StubbedReply = StubbedEnvelope | StubbedBody;

/** What to do instead of answering normally: a stubbed reply, or a connection reset. */
export type Override = StubbedReply | 'reset';

/** Queues of one-off misbehaviours, per route, consumed one per call in the order given. */
export class Steering {
  readonly #delays = new Map<EmulatorRoute, number[]>();
  readonly #overrides = new Map<EmulatorRoute, Override[]>();

  delay(route: EmulatorRoute, ms: number, times: number): void {
    enqueue(this.#delays, route, ms, times);
  }

  override(route: EmulatorRoute, override: Override, times: number): void {
    enqueue(this.#overrides, route, override, times);
  }

  /** Takes what applies to the call arriving now: a delay to wait, then maybe an override. */
  next(route: EmulatorRoute): { delayMs: number; override: Override | undefined } {
    return {
      delayMs: this.#delays.get(route)?.shift() ?? 0,
      override: this.#overrides.get(route)?.shift(),
    };
  }
}

function enqueue<T>(queues: Map<EmulatorRoute, T[]>, route: EmulatorRoute, item: T, times: number) {
  const queue = queues.get(route) ?? [];
  for (let i = 0; i < times; i++) queue.push(item);
  queues.set(route, queue);
}
