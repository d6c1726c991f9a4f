import type { ModelDefinition } from '@charanim/tasks';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deriveFields } from '../src/model-input.ts';

/** A task model with just what deriving its GraphQL input reads. */
function model(id: string, input: z.ZodObject, extra: Partial<ModelDefinition> = {}) {
  return {
    ...{
      mode: 'task',
      id,
      title: id,
      description: id,
      family: 'test',
      input,
      result: 'video',
      callback: 'optional',
      pollBoundMs: 1,
      toProviderInput: () => ({}),
      parseResult: () => ({ urls: ['https://x.test/v.mp4'] }),
      emulator: { request: z.object({}), fakeResult: () => ({}) },
    },
    ...extra,
  } as ModelDefinition;
}

describe('deriveFields', () => {
  it('types each property, and makes it non-null only when every model requires it', () => {
    const a = model(
      'a',
      z.object({
        prompt: z.string().describe('A'),
        seed: z.number().int().optional(),
        ratio: z.enum(['x', 'y']),
      }),
    );
    const b = model(
      'b',
      z.object({ prompt: z.string().describe('B'), seconds: z.literal([4, 6]) }),
    );
    const fields = deriveFields([a, b]);
    expect(
      Object.fromEntries([...fields].map(([name, field]) => [name, [field.type, field.required]])),
    ).toEqual({
      prompt: ['String', true],
      seed: ['Int', false],
      ratio: ['String', false],
      seconds: ['Int', false],
    });
    expect([...(fields.get('prompt')?.descriptions ?? [])]).toEqual([
      ['a', 'A'],
      ['b', 'B'],
    ]);
  });

  it('adds a file field beside the URL it replaces, which becomes nullable, and takes characters as ids', () => {
    const withFile = model(
      'f',
      z.object({ imageUrl: z.string(), characters: z.array(z.string()).optional() }),
      {
        files: {
          image: { replaces: 'imageUrl', media: 'image', uploadPath: 'p', description: 'the file' },
        },
        characters: { family: 'test', max: 3 },
      },
    );
    const fields = deriveFields([withFile]);
    expect(fields.get('imageUrl')).toMatchObject({ type: 'String', required: false });
    expect(fields.get('image')).toMatchObject({ type: 'File', required: false });
    expect(fields.get('characters')).toMatchObject({ type: ['ID'] });
  });

  it('refuses models that disagree on a field’s type: a plugin bug, found as the schema builds', () => {
    const a = model('a', z.object({ size: z.string() }));
    const b = model('b', z.object({ size: z.number() }));
    expect(() => deriveFields([a, b])).toThrow(
      /input field size: b makes it "Float", another model "String"/,
    );
  });
});
