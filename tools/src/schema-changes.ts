import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/** One change from one schema to another, as graphql-inspector judges it. */
export interface SchemaChange {
  level: 'breaking' | 'dangerous' | 'safe';
  /** Where: `Type`, `Type.field` or `Type.field.argument`. */
  path: string;
  message: string;
  /** Why graphql-inspector finds it breaking or dangerous, when it says. */
  reason?: string;
}

const levels: Record<CriticalityLevel, SchemaChange['level']> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** What changes from the schema `before` to the schema `after` (both SDL), breaking ones first. */
export async function schemaChanges(before: string, after: string): Promise<SchemaChange[]> {
  const changes = await diff(buildSchema(before), buildSchema(after));
  const order = Object.values(levels);
  return changes
    .map(toSchemaChange)
    .sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
}

function toSchemaChange(change: Change): SchemaChange {
  const { level, reason } = change.criticality;
  return {
    level: levels[level],
    path: change.path ?? '(schema)',
    message: change.message,
    ...(reason && level !== CriticalityLevel.NonBreaking && { reason }),
  };
}

/** One line a change, its reason indented under it. */
export function describeChanges(changes: SchemaChange[]): string {
  return changes
    .map(
      ({ level, path, message, reason }) =>
        `  ${level.padEnd(9)} ${path}: ${message}${reason ? `\n            ${reason}` : ''}\n`,
    )
    .join('');
}
