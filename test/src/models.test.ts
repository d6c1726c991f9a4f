import { createModelRegistry } from '@charanim/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql } from './support/graphql.ts';

const MODELS = /* GraphQL */ `
  query Models {
    models { id title description inputSchema }
  }
`;

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

async function models() {
  const response = await graphql(t.graphqlUrl, MODELS);
  expect(response.errors).toBeUndefined();
  return response.data?.models as {
    id: string;
    title: string;
    description: string;
    inputSchema: { type: string; properties: Record<string, Record<string, unknown>> };
  }[];
}

describe('models', () => {
  it('lists every model the gateway serves, with its title and description', async () => {
    const listed = await models();
    const registered = createModelRegistry().list();
    expect(listed.map((model) => model.id)).toEqual(registered.map((model) => model.id));
    expect(listed.map((model) => model.title)).toEqual(registered.map((model) => model.title));
    expect(listed.slice(0, 2).map((model) => model.title)).toEqual([
      'Sora 2 Characters',
      'Sora 2 Characters Pro',
    ]);
    expect(listed[0]?.description).toMatch(/1–4 second video/);
    expect(listed[1]?.description).toMatch(/segment of an earlier kie\.ai video task/);
    expect(t.emulator.calls).toEqual([]);
  });

  it('gives each input as JSON Schema: its properties, their types, limits and descriptions', async () => {
    const [basic, pro] = await models();
    expect(basic?.inputSchema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      description: expect.stringContaining('uploaded as the file `video`'),
      properties: {
        videoUrl: {
          type: 'string',
          maxLength: 2048,
          description: expect.stringContaining('upload the file as `video`'),
        },
        prompt: {
          type: 'string',
          maxLength: 5000,
          pattern: '\\S',
          description: expect.stringContaining('not only whitespace'),
        },
        safetyInstruction: { type: 'string', maxLength: 5000 },
      },
      required: ['videoUrl'],
    });
    expect(pro?.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        originTaskId: { type: 'string', minLength: 1, pattern: '\\S' },
        startSeconds: { type: 'number', minimum: 0, maximum: 3600 },
        endSeconds: { type: 'number', minimum: 0, maximum: 3600 },
        prompt: { type: 'string', minLength: 1, maxLength: 5000, pattern: '\\S' },
        characterUserName: { type: 'string', maxLength: 40 },
        safetyInstruction: { type: 'string', maxLength: 5000 },
      },
      required: ['originTaskId', 'startSeconds', 'endSeconds', 'prompt'],
    });
    // Every property of every model says what it is, in words as well as in types.
    for (const model of [basic, pro]) {
      for (const [name, property] of Object.entries(model?.inputSchema.properties ?? {}))
        expect(property.description, `${model?.id}.${name}`).toEqual(expect.any(String));
    }
  });
});
