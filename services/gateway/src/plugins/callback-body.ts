/** kie.ai's callbacks nest three levels deep; far deeper is no callback, and too deep to store. */
const MAX_CALLBACK_NESTING = 16;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as text when it is JSON the database can take, else undefined: UTF-8, no NUL character
 * and no lone surrogate in any string or key (PostgreSQL's text and jsonb refuse both), nested at
 * most MAX_CALLBACK_NESTING deep. Such garbage is the sender's fault, not a reason to retry.
 */
export function storableCallbackText(bytes: Uint8Array): string | undefined {
  let text: string;
  let pending: [value: unknown, depth: number][];
  try {
    text = utf8.decode(bytes);
    pending = [[JSON.parse(text), 0]];
  } catch {
    return undefined;
  }
  // A loop rather than recursion: a 64 KB body can nest 30,000 deep.
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value === 'string') {
      if (value.includes('\0') || LONE_SURROGATE.test(value)) return undefined;
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_CALLBACK_NESTING) return undefined;
      for (const [key, child] of Object.entries(value))
        pending.push([key, depth], [child, depth + 1]);
    }
  }
  return text;
}
