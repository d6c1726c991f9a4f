import { describe, expect, it } from 'vitest';
import { describeChanges, type SchemaChange, schemaChanges } from '../src/schema-changes.ts';

const before = /* GraphQL */ `
  type Query {
    tasks(first: Int, state: String): [Task!]!
  }
  type Task {
    id: ID!
    state: String!
    error: String
  }
  input CreateInput {
    videoUrl: String!
  }
  type Mutation {
    create(input: CreateInput!): Task
  }
`;

/** Each change's level and place, without graphql-inspector's wording. */
const verdicts = (changes: SchemaChange[]) => changes.map(({ level, path }) => ({ level, path }));

describe('schemaChanges', () => {
  it('finds a removed field breaking, and says where and what', async () => {
    const changes = await schemaChanges(before, before.replace('error: String', ''));
    expect(changes).toEqual([
      {
        level: 'breaking',
        path: 'Task.error',
        message: "Field 'error' was removed from object type 'Task'",
        reason: expect.any(String),
      },
    ]);
    expect(describeChanges(changes)).toContain(
      "breaking  Task.error: Field 'error' was removed from object type 'Task'",
    );
  });

  it('finds an argument that turned from nullable to non-null breaking', async () => {
    const changes = await schemaChanges(before, before.replace('first: Int,', 'first: Int!,'));
    expect(changes).toEqual([
      expect.objectContaining({
        level: 'breaking',
        path: 'Query.tasks.first',
        message: expect.stringContaining("from 'Int' to 'Int!'"),
      }),
    ]);
  });

  it('finds a required input field breaking', async () => {
    const changes = await schemaChanges(
      before,
      before.replace('videoUrl: String!', 'videoUrl: String!\n    prompt: String!'),
    );
    expect(verdicts(changes)).toEqual([{ level: 'breaking', path: 'CreateInput.prompt' }]);
  });

  it('finds an added optional field safe, in output and input types alike', async () => {
    const after = before
      .replace('error: String', 'error: String\n    prompt: String')
      .replace('videoUrl: String!', 'videoUrl: String!\n    prompt: String');
    const changes = await schemaChanges(before, after);
    expect(verdicts(changes)).toEqual([
      { level: 'safe', path: 'Task.prompt' },
      { level: 'safe', path: 'CreateInput.prompt' },
    ]);
  });

  it('lists breaking changes first, then dangerous ones, then safe ones', async () => {
    const after = before
      .replace('id: ID!', 'id: ID!\n    model: String')
      .replace('first: Int,', 'first: Int, after: String,')
      .replace('error: String', '');
    const changes = await schemaChanges(before, after);
    expect(verdicts(changes)).toEqual([
      { level: 'breaking', path: 'Task.error' },
      { level: 'dangerous', path: 'Query.tasks.after' },
      { level: 'safe', path: 'Task.model' },
    ]);
  });

  it('finds nothing between a schema and itself', async () => {
    expect(await schemaChanges(before, before)).toEqual([]);
  });
});
