import { z } from 'zod';
import type { CallbackMode, CallbackPlan, CallbackRetry } from './callbacks.ts';
import { type EmulatorFaults, emulatorFaults } from './faults-options.ts';
import { mulberry32, randomSeed } from './prng.ts';
import type { EmulatorRoute, Override } from './steering.ts';
import type { EmulatorOutcome } from './tasks.ts';

/** The faults injected so far, by kind. Steered misbehaviour is not counted. */
export interface InjectedFaults {
  rateLimited: number;
  maintenance: number;
  slow: number;
  reset: number;
  taskFailed: number;
  callbackDropped: number;
  callbackDuplicated: number;
}

/** What happens to one call: a wait first, then maybe an answer other than the real one. */
export interface CallTreatment {
  delayMs: number;
  override: Override | undefined;
}

type CallFault = { kind: 'rateLimited' | 'maintenance' | 'reset'; override: Override };

const RATE_LIMITED: CallFault = {
  kind: 'rateLimited',
  override: { code: 429, msg: 'rate limited' },
};
const MAINTENANCE: CallFault = { kind: 'maintenance', override: { code: 455 } };
const RESET: CallFault = { kind: 'reset', override: 'reset' };
const FAILED: EmulatorOutcome = {
  state: 'fail',
  failCode: '500',
  failMsg: 'emulated generation failure',
};
/** Only reads are reset: after a reset createTask, the caller could not know if a task exists. */
const RESETTABLE: ReadonlySet<EmulatorRoute> = new Set(['recordInfo', 'credit']);
const DEFAULT_SLOW_MS = 1000;
const DEFAULT_RETRY: Required<NonNullable<EmulatorFaults['callbackRetry']>> = {
  attempts: 5,
  delayMs: 500,
};
/** How much later the second copy of a duplicated callback goes out, on top of its own delay. */
const DUPLICATE_GAP_MS = 50;
const copiesOf: Record<CallbackMode, number> = { deliver: 1, drop: 0, duplicate: 2 };

/**
 * Decides the random faults, each kind from its own seeded stream (calls, task outcomes,
 * callbacks), so that one kind's draws do not shift another's. Every decision draws the same
 * numbers whatever the rates and the steering, so a call's fate depends only on its position.
 */
export class FaultInjector {
  readonly seed: number;
  /** The POST attempts for each callback copy. */
  readonly callbackRetry: CallbackRetry;
  readonly #faults: EmulatorFaults;
  readonly #injected: InjectedFaults = {
    rateLimited: 0,
    maintenance: 0,
    slow: 0,
    reset: 0,
    taskFailed: 0,
    callbackDropped: 0,
    callbackDuplicated: 0,
  };
  readonly #callRandom: () => number;
  readonly #outcomeRandom: () => number;
  readonly #callbackRandom: () => number;
  #calls = 0;

  /** Throws a TypeError when `faults` are not valid {@link EmulatorFaults}. */
  constructor(faults: EmulatorFaults = {}) {
    const parsed = emulatorFaults.safeParse(faults);
    if (!parsed.success) {
      throw new TypeError(`emulator faults: ${z.prettifyError(parsed.error)}`);
    }
    this.#faults = parsed.data;
    this.seed = parsed.data.seed ?? randomSeed();
    this.#callRandom = mulberry32(this.seed);
    this.#outcomeRandom = mulberry32(this.seed ^ 0x5bd1e995);
    this.#callbackRandom = mulberry32(this.seed ^ 0x27d4eb2f);
    const retry = parsed.data.callbackRetry;
    this.callbackRetry = retry ? { ...DEFAULT_RETRY, ...retry } : { attempts: 1, delayMs: 0 };
  }

  /** A copy of the counts of faults injected so far. */
  injected(): InjectedFaults {
    return { ...this.#injected };
  }

  /** How an API call is treated; what steering decided for it wins over the random faults. */
  call(route: EmulatorRoute, steered: CallTreatment): CallTreatment {
    const position = this.#calls++;
    const random = this.#callRandom;
    const [slow, reset, maintenance] = [random(), random(), random()];
    const fault = this.#callFault(route, position, reset, maintenance);
    let { delayMs, override } = steered;
    if (delayMs === 0 && happens(slow, this.#faults.slowRate)) {
      delayMs = this.#faults.slowMs ?? DEFAULT_SLOW_MS;
      this.#injected.slow += 1;
    }
    if (override === undefined && fault) {
      override = fault.override;
      this.#injected[fault.kind] += 1;
    }
    return { delayMs, override };
  }

  /** How a created task ends; a steered outcome wins. */
  outcome(steered: EmulatorOutcome | undefined): EmulatorOutcome {
    const fails = happens(this.#outcomeRandom(), this.#faults.failRate);
    if (steered) return steered;
    if (!fails) return { state: 'success' };
    this.#injected.taskFailed += 1;
    return FAILED;
  }

  /** Which copies of a task's callback go out and when; a steered mode decides how many. */
  callback(steered: CallbackMode | undefined): CallbackPlan {
    const random = this.#callbackRandom;
    const [drop, duplicate] = [random(), random()];
    const delays = [this.#callbackDelay(), this.#callbackDelay() + DUPLICATE_GAP_MS];
    let copies = 1;
    if (steered) copies = copiesOf[steered];
    else if (happens(drop, this.#faults.callbackDropRate)) {
      copies = 0;
      this.#injected.callbackDropped += 1;
    } else if (happens(duplicate, this.#faults.callbackDuplicateRate)) {
      copies = 2;
      this.#injected.callbackDuplicated += 1;
    }
    return { delaysMs: delays.slice(0, copies), dropped: copies === 0 ? 1 : 0 };
  }

  /** A burst's 429 first (the limiter sits in front), then a reset, then maintenance. */
  #callFault(
    route: EmulatorRoute,
    position: number,
    reset: number,
    maintenance: number,
  ): CallFault | undefined {
    const { rateLimitBursts: bursts, resetRate, maintenanceRate } = this.#faults;
    if (bursts && position % (bursts.every + bursts.length) >= bursts.every) return RATE_LIMITED;
    if (RESETTABLE.has(route) && happens(reset, resetRate)) return RESET;
    if (route === 'recordInfo' && happens(maintenance, maintenanceRate)) return MAINTENANCE;
    return undefined;
  }

  #callbackDelay(): number {
    const [min, max] = this.#faults.callbackDelayMs ?? [0, 0];
    return min + Math.floor(this.#callbackRandom() * (max - min + 1));
  }
}

/** A draw in [0, 1) against a rate: never at 0 (or unset), always at 1. */
function happens(draw: number, rate = 0): boolean {
  return draw < rate;
}
