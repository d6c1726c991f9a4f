import { z } from 'zod';

/**
 * An absolute http(s) URL with a host, as kie.ai can fetch it. The one rule for URLs: model
 * inputs, the emulator's checks of what kie.ai would accept, and the gateway's own settings.
 */
export function isHttpUrl(value: string): boolean {
  return /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value) && URL.canParse(value);
}

/**
 * Text a database can store and kie.ai can read: no NUL character (PostgreSQL's text refuses it)
 * and no lone UTF-16 surrogate (it has no UTF-8 form). Either comes only from a broken client or
 * an attack, and is refused by name instead of failing deep in a query.
 */
function unreadableCharacter(value: string): string | undefined {
  if (value.includes('\u0000')) return 'a NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'a lone UTF-16 surrogate';
  return undefined;
}

/** Why `value` of `field` cannot be stored or read, or undefined when it can. */
export function unreadableText(field: string, value: string): string | undefined {
  const unreadable = unreadableCharacter(value);
  return unreadable && `${field} holds ${unreadable}; it must be readable text`;
}

/** The readable-text rule as a zod refinement of `field`. */
export function readable(field: string) {
  return [
    (value: string) => unreadableCharacter(value) === undefined,
    { error: (issue: { input: unknown }) => unreadableText(field, String(issue.input)) },
  ] as const;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string field that names itself in every message; `max` (and `min`) count characters. */
export function text(field: string, max: number, min?: number) {
  const base = z.string({ error: `${field} is required` });
  // Too short says all there is to say: the checks after it would only repeat it.
  const atLeast =
    min === undefined
      ? base
      : base.min(min, {
          abort: true,
          error: (issue) =>
            `${field} is ${String(issue.input).length} characters; must be at least ${min}`,
        });
  return atLeast
    .max(max, {
      error: (issue) =>
        `${field} is ${String(issue.input).length} characters; must be at most ${max}`,
    })
    .refine(...readable(field));
}

/**
 * Text that holds something besides whitespace. A prompt of nothing but spaces describes nothing,
 * yet kie.ai would take it and spend the credits: it is refused like an empty one, and so is a
 * blank safety instruction or name, which would be sent as if it said something. The text is not
 * trimmed: it is the client's own words, sent and stored as written, and its limit counts what
 * kie.ai gets. As a pattern the rule is in the JSON Schema too.
 */
export function notBlank(schema: z.ZodString, field: string): z.ZodString {
  return schema.regex(/\S/, {
    error: (issue) =>
      String(issue.input).length === 0
        ? `${field} is 0 characters; must be at least 1 (leave ${field} out for none)`
        : `${field} is only whitespace; must have at least 1 character that is not whitespace`,
  });
}

/** A URL field: an absolute http(s) URL of at most `max` characters. */
export function httpUrl(field: string, max: number) {
  return text(field, max).refine(isHttpUrl, {
    error: `${field} must be an absolute http(s) URL`,
  });
}
