import { schema } from '@charanim/schema';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exampleOperations } from '../src/graphiql-examples.ts';

describe('the operations GraphiQL shows a first-time user', () => {
  it('are valid against the schema, each named, so that each runs as it is', () => {
    const document = parse(exampleOperations);
    expect(validate(schema, document).map((error) => error.message)).toEqual([]);
    const names = document.definitions.map((definition) =>
      'name' in definition ? definition.name?.value : undefined,
    );
    expect(names).toEqual([
      'CreateCharacter',
      'FollowTask',
      'FindCharacters',
      'RecentTasks',
      'Models',
    ]);
  });
});
