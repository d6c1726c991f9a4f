import { mutationOf } from '@charanim/schema';
import { inputJsonSchema, type ModelDefinition } from '@charanim/tasks';

/** Where the table sits in the README, so that it can be written again without touching the rest. */
export const TABLE_START =
  '<!-- The models table: written from the plugins by `npm run readme:models`. -->';
export const TABLE_END = '<!-- End of the models table. -->';

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxItems?: number;
}

/**
 * One input field as the table shows it: its name, an upload that may replace it, and the values
 * it takes when they are few (a list of choices, a range, a count). Lengths and descriptions stay
 * in `models { inputSchema }`, which the README points to.
 */
function describeField(model: ModelDefinition, name: string, schema: PropertySchema): string {
  const upload = Object.entries(model.files ?? {}).find(([, file]) => file.replaces === name)?.[0];
  const limits: string[] = [];
  if (schema.enum) limits.push(schema.enum.join(', '));
  else if (schema.minimum !== undefined && schema.maximum !== undefined) {
    limits.push(`${schema.minimum}–${schema.maximum}`);
  }
  if (schema.maxItems !== undefined) limits.push(`≤ ${schema.maxItems}`);
  const shown = `\`${name}\`${limits.length > 0 ? ` (${limits.join('; ')})` : ''}`;
  return upload ? `${shown} or an upload as \`${upload}\`` : shown;
}

/** What the model's mutation takes: the required fields, then the optional ones. */
export function describeInput(model: ModelDefinition): string {
  const schema = inputJsonSchema(model) as {
    properties: Record<string, PropertySchema>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties);
  const listed = (wanted: boolean) =>
    fields
      .filter(([name]) => required.has(name) === wanted)
      .map(([name, property]) => describeField(model, name, property))
      .join(', ');
  const optional = listed(false);
  return [listed(true), optional && `optional ${optional}`].filter(Boolean).join('; ');
}

/**
 * The README's table of the models: one row each, as its plugin describes it; the ones kie.ai
 * runs first, in the order they were registered, then the paused ones.
 */
export function modelsTable(models: readonly ModelDefinition[]): string {
  const header = ['model', 'family', 'makes', 'mutation', 'takes', 'status'];
  const paused = (model: ModelDefinition) => (model.pausedUpstream === undefined ? 0 : 1);
  const ordered = [...models].sort((a, b) => paused(a) - paused(b));
  const rows = ordered.map((model) => [
    `\`${model.id}\``,
    model.family,
    model.result,
    `\`${mutationOf(model)}\``,
    describeInput(model),
    model.pausedUpstream ? 'paused at kie.ai' : 'live',
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

/** The table between the markers of `readme`; undefined when they are missing. */
export function tableIn(readme: string): string | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) return undefined;
  return readme.slice(start + TABLE_START.length, end).trim();
}

/** `readme` with `table` between its markers. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) {
    throw new Error(`the README lacks the markers of the models table: ${TABLE_START}`);
  }
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
