/** A job run on a timer, one run at a time. */
export interface Repeating {
  /** Stops the timer and waits for the run in flight. */
  stop(): Promise<void>;
}

/**
 * Runs `job` every `ms`, skipping a beat while the previous run is still going, so that a slow
 * run (a database under load) never piles up behind itself.
 */
export function every(ms: number, job: () => Promise<void>): Repeating {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= job().finally(() => {
      running = undefined;
    });
  }, ms);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
