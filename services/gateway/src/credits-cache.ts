/** How long the account's credits, once read, answer every `credits` field. */
const CREDITS_CACHE_MS = 5_000;

/**
 * `read`, shared: every caller gets the value kie.ai gave within the last CREDITS_CACHE_MS, and
 * callers that come while it is being read wait for that one call. A failure is shared by those
 * waiting for it, never kept. Without it each `credits` field (aliases too) was a call to kie.ai.
 */
export function cacheCredits(read: () => Promise<number>): () => Promise<number> {
  let cached: { value: number; until: number } | undefined;
  let reading: Promise<number> | undefined;
  return () => {
    if (cached && Date.now() < cached.until) return Promise.resolve(cached.value);
    reading ??= read()
      .then((value) => {
        cached = { value, until: Date.now() + CREDITS_CACHE_MS };
        return value;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}
