import type { OptionValues } from './command.ts';

/** The command line does not say what to do; the message says why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A string option's value, if it was given. */
export function text(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable option's values in the order given, if it was given at all. */
export function list(values: OptionValues, name: string): string[] | undefined {
  const value = values[name];
  // Only string options repeat here, so every item is a string.
  return Array.isArray(value) ? value.map(String) : undefined;
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/**
 * A whole-number option, if it was given. Only its form is checked here: the gateway knows each
 * model's limits and says which one a value breaks.
 */
export function wholeNumber(
  values: OptionValues,
  name: string,
  { positive = false } = {},
): number | undefined {
  const raw = text(values, name);
  if (raw === undefined) return undefined;
  const number = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(number) || (positive && number <= 0)) {
    throw new UsageError(
      `--${name} must be a ${positive ? 'positive ' : ''}whole number, not ${raw}`,
    );
  }
  return number;
}

/** For a command that takes options only. */
export function noArguments(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`${command} takes no argument, not ${positionals[0]}`);
  }
}

/** The options of a listing: a page of `--first N` after `--after CURSOR`. */
export const pageOptions = {
  first: { type: 'string' },
  after: { type: 'string' },
} as const;

export const pageUsage = '[--first N] [--after CURSOR]';

/** A page as the gateway's connections take it; null for what was not given. */
export function pageOf(values: OptionValues): { first: number | null; after: string | null } {
  return {
    first: wholeNumber(values, 'first', { positive: true }) ?? null,
    after: text(values, 'after') ?? null,
  };
}
