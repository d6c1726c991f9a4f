import { describe, expect, it } from 'vitest';
import { judgeCreateTask } from '../src/emulator/refusals.ts';
import {
  createModelRegistry,
  decimalSeconds,
  inputJsonSchema,
  MAX_ORIGIN_SECONDS,
  parseCharacterResult,
  readableNumber,
  sora2Characters,
  sora2CharactersPro,
} from '../src/models/index.ts';

const model = sora2CharactersPro;
const registry = createModelRegistry();
/** How the emulator (kie.ai's rules) judges a createTask body. */
const judge = (body: unknown) =>
  judgeCreateTask(registry, body, new Set(), { imageCountOf: () => undefined });
const valid = {
  originTaskId: 'task_sora-2-text-to-video_1765174270120',
  startSeconds: 1.5,
  endSeconds: 3.5,
  prompt: 'A fox in a red scarf',
};

/** The issues of a parse that must fail, as `path: message`. */
function issuesOf(input: Record<string, unknown>): string[] {
  const parsed = model.input.safeParse(input);
  if (parsed.success) throw new Error('the input was accepted');
  return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('the registry', () => {
  it('serves both Sora character models, the basic one first', () => {
    const ids = registry.list().map((m) => m.id);
    expect(ids.slice(0, 2)).toEqual(['sora-2-characters', 'sora-2-characters-pro']);
    expect(registry.get('sora-2-characters-pro')).toBe(sora2CharactersPro);
  });
});

describe('sora-2-characters-pro input', () => {
  it('accepts a valid input as it is', () => {
    expect(model.input.parse(valid)).toEqual(valid);
  });

  it('takes startSeconds 0 and refuses −0.01', () => {
    expect(model.input.safeParse({ ...valid, startSeconds: 0, endSeconds: 1 }).success).toBe(true);
    expect(issuesOf({ ...valid, startSeconds: -0.01, endSeconds: 1 })).toEqual([
      'startSeconds: startSeconds is -0.01; must be at least 0',
    ]);
  });

  it.each([
    [2, 3],
    [2, 6],
    [1.3, 2.3],
    [0.1, 4.1],
    [3.55, 5.55],
  ])('takes a segment from %s to %s s', (startSeconds, endSeconds) => {
    expect(model.input.safeParse({ ...valid, startSeconds, endSeconds }).success).toBe(true);
  });

  it.each([
    [
      1e308,
      1e308,
      [
        'startSeconds: startSeconds is 1e+308; must be at most 3600',
        'endSeconds: endSeconds is 1e+308; must be at most 3600',
      ],
    ],
    [1, 1e308, ['endSeconds: endSeconds is 1e+308; must be at most 3600']],
    [
      3600.5,
      3602,
      [
        'startSeconds: startSeconds is 3600.5; must be at most 3600',
        'endSeconds: endSeconds is 3602; must be at most 3600',
      ],
    ],
    [-1e308, 1, ['startSeconds: startSeconds is -1e+308; must be at least 0']],
    [3, -1e308, ['endSeconds: endSeconds is -1e+308; must be at least 0']],
    [
      Number.POSITIVE_INFINITY,
      1,
      ['startSeconds: startSeconds is Infinity; must be a finite number of seconds'],
    ],
    [1, Number.NaN, ['endSeconds: endSeconds is NaN; must be a finite number of seconds']],
  ])(
    'refuses a time from %s to %s s outside the video, by name and limit',
    (startSeconds, endSeconds, issues) => {
      expect(issuesOf({ ...valid, startSeconds, endSeconds })).toEqual(issues);
    },
  );

  it('takes a segment that ends at the last second allowed', () => {
    const input = {
      ...valid,
      startSeconds: MAX_ORIGIN_SECONDS - 4,
      endSeconds: MAX_ORIGIN_SECONDS,
    };
    expect(model.input.safeParse(input).success).toBe(true);
  });

  it.each([
    [2, 2.99, 'the segment is 0.99 s (2 to 2.99); must be between 1 and 4 s'],
    [1e-300, 0.5, 'the segment is 0.5 s (1e-300 to 0.5); must be between 1 and 4 s'],
    [2, 6.01, 'the segment is 4.01 s (2 to 6.01); must be between 1 and 4 s'],
    [1.5, 6, 'the segment is 4.5 s (1.5 to 6); must be between 1 and 4 s'],
    [3, 1, 'the segment is -2 s (3 to 1); must be between 1 and 4 s'],
    [2, 2, 'the segment is 0 s (2 to 2); must be between 1 and 4 s'],
  ])('refuses a segment from %s to %s s on endSeconds', (startSeconds, endSeconds, message) => {
    expect(issuesOf({ ...valid, startSeconds, endSeconds })).toEqual([`endSeconds: ${message}`]);
  });

  it('takes a prompt of 5000 characters and refuses 5001 or none', () => {
    expect(model.input.safeParse({ ...valid, prompt: 'a'.repeat(5000) }).success).toBe(true);
    expect(issuesOf({ ...valid, prompt: 'a'.repeat(5001) })).toEqual([
      'prompt: prompt is 5001 characters; must be at most 5000',
    ]);
    expect(issuesOf({ ...valid, prompt: '' })).toEqual([
      'prompt: prompt is 0 characters; must be at least 1',
    ]);
    expect(issuesOf({ ...valid, prompt: undefined })).toEqual(['prompt: prompt is required']);
  });

  it('refuses a prompt of nothing but whitespace, and sends one with some as written', () => {
    for (const prompt of [' ', '   ', '\t\n ', '\u00a0\u2003'])
      expect(issuesOf({ ...valid, prompt })).toEqual([
        'prompt: prompt is only whitespace; must have at least 1 character that is not whitespace',
      ]);
    expect(model.input.parse({ ...valid, prompt: '  a fox  ' }).prompt).toBe('  a fox  ');
  });

  it('refuses a user name or safety instruction that is empty or only whitespace', () => {
    for (const field of ['characterUserName', 'safetyInstruction']) {
      expect(issuesOf({ ...valid, [field]: '' })).toEqual([
        `${field}: ${field} is 0 characters; must be at least 1 (leave ${field} out for none)`,
      ]);
      expect(issuesOf({ ...valid, [field]: '   ' })).toEqual([
        `${field}: ${field} is only whitespace; must have at least 1 character that is not whitespace`,
      ]);
    }
  });

  it('takes a safety instruction of 5000 characters and refuses 5001', () => {
    const safetyInstruction = 's'.repeat(5000);
    expect(model.input.safeParse({ ...valid, safetyInstruction }).success).toBe(true);
    expect(issuesOf({ ...valid, safetyInstruction: `${safetyInstruction}s` })).toEqual([
      'safetyInstruction: safetyInstruction is 5001 characters; must be at most 5000',
    ]);
  });

  it('takes a user name of 40 characters and refuses 41', () => {
    expect(model.input.safeParse({ ...valid, characterUserName: 'n'.repeat(40) }).success).toBe(
      true,
    );
    expect(issuesOf({ ...valid, characterUserName: 'n'.repeat(41) })).toEqual([
      'characterUserName: characterUserName is 41 characters; must be at most 40',
    ]);
  });

  it('requires the origin task id', () => {
    for (const originTaskId of ['', ' ', '  \t\n  '])
      expect(issuesOf({ ...valid, originTaskId })).toEqual([
        'originTaskId: originTaskId is required: the id of an earlier kie.ai video task',
      ]);
    expect(issuesOf({ ...valid, originTaskId: undefined })).toEqual([
      'originTaskId: originTaskId is required',
    ]);
  });
});

describe('sora-2-characters-pro provider input', () => {
  const providerInput = (input: Record<string, unknown>) =>
    model.toProviderInput(model.input.parse(input), { characters: [] });

  it('maps every field, the optional ones only when given', () => {
    expect(
      providerInput({ ...valid, characterUserName: 'Foxy', safetyInstruction: 'Family friendly' }),
    ).toEqual({
      origin_task_id: 'task_sora-2-text-to-video_1765174270120',
      timestamps: '1.5,3.5',
      character_prompt: 'A fox in a red scarf',
      character_user_name: 'Foxy',
      safety_instruction: 'Family friendly',
    });
    const minimal = providerInput(valid);
    expect(minimal).toEqual({
      origin_task_id: 'task_sora-2-text-to-video_1765174270120',
      timestamps: '1.5,3.5',
      character_prompt: 'A fox in a red scarf',
    });
    expect(Object.keys(minimal)).not.toContain('character_user_name');
    expect(Object.keys(minimal)).not.toContain('safety_instruction');
  });

  it('sends the origin task id without the whitespace around it', () => {
    const padded = `  ${valid.originTaskId}\n`;
    expect(providerInput({ ...valid, originTaskId: padded }).origin_task_id).toBe(
      valid.originTaskId,
    );
    expect(issuesOf({ ...valid, originTaskId: ` ${'i'.repeat(201)} ` })).toEqual([
      'originTaskId: originTaskId is 201 characters; must be at most 200',
    ]);
  });

  it.each([
    [1.5, 3.5, '1.5,3.5'],
    [3, 5, '3,5'],
    [0.25, 2, '0.25,2'],
    [3.55, 5.55, '3.55,5.55'],
    [0, 4, '0,4'],
    [10.1, 11.1, '10.1,11.1'],
    [1e-7, 1.5, '0.0000001,1.5'],
  ])('writes %s to %s s as "%s"', (startSeconds, endSeconds, timestamps) => {
    expect(providerInput({ ...valid, startSeconds, endSeconds }).timestamps).toBe(timestamps);
  });

  it('is what the emulator (kie.ai’s rules) accepts', () => {
    for (const [startSeconds, endSeconds] of [
      [0, 1],
      [1.3, 2.3],
      [0.1, 4.1],
      [1e-7, 1.5],
    ] as const) {
      const body = {
        model: model.id,
        input: providerInput({ ...valid, startSeconds, endSeconds, characterUserName: 'n' }),
      };
      expect(judge(body)).not.toHaveProperty('refusal');
    }
  });

  it('reads its result like the basic model', () => {
    expect(model.parseResult('{"character_id_list":["char_1"]}')).toEqual({
      characterId: 'char_1',
    });
    expect(model.parseResult).toBe(parseCharacterResult);
  });
});

describe('decimalSeconds', () => {
  it.each([
    [1.5, '1.5'],
    [3, '3'],
    [0.25, '0.25'],
    [0, '0'],
    [1e-7, '0.0000001'],
    [1.25e-8, '0.0000000125'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
  ])('writes %s as %s', (seconds, written) => {
    expect(decimalSeconds(seconds)).toBe(written);
  });
});

describe('readableNumber', () => {
  it.each([
    [1.5, '1.5'],
    [-0.01, '-0.01'],
    [0, '0'],
    [3600, '3600'],
    [0.000001, '0.000001'],
    [999999.5, '999999.5'],
    [1e6, '1e+6'],
    [1e308, '1e+308'],
    [-1.7976931348623157e308, '-1.798e+308'],
    [1.5e22, '1.5e+22'],
    [1e-7, '1e-7'],
    [1.23456e-300, '1.235e-300'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NaN, 'NaN'],
  ])('writes %s as %s', (value, written) => {
    expect(readableNumber(value)).toBe(written);
  });
});

describe('the emulator’s sora-2-characters-pro rules', () => {
  const body = (input: Record<string, unknown>) => ({
    model: 'sora-2-characters-pro',
    input: { origin_task_id: 'task_1', timestamps: '1,3', character_prompt: 'a fox', ...input },
  });
  const accepts = (input: Record<string, unknown>) => !('refusal' in judge(body(input)));

  it('accepts segments of 1 to 4 s', () => {
    for (const timestamps of ['0,1', '1,5', '3.55,5.55', '1.3,2.3', '0.1,4.1'])
      expect(accepts({ timestamps }), timestamps).toBe(true);
  });

  it('refuses other segments and malformed timestamps', () => {
    for (const timestamps of ['1,1.99', '1,5.01', '3,1', ',3', '1,', '-1,1', '1;3', '1,3,5', 'a,b'])
      expect(accepts({ timestamps }), timestamps).toBe(false);
  });

  it('requires the origin task and a prompt, and limits the name and safety instruction', () => {
    expect(accepts({ origin_task_id: '' })).toBe(false);
    expect(accepts({ origin_task_id: undefined })).toBe(false);
    expect(accepts({ character_prompt: undefined })).toBe(false);
    expect(accepts({ character_prompt: '' })).toBe(false);
    expect(accepts({ character_user_name: 'n'.repeat(40) })).toBe(true);
    expect(accepts({ character_user_name: 'n'.repeat(41) })).toBe(false);
    expect(accepts({ safety_instruction: 's'.repeat(5000) })).toBe(true);
    expect(accepts({ safety_instruction: 's'.repeat(5001) })).toBe(false);
  });
});

describe('inputJsonSchema', () => {
  it('describes the basic model’s properties, types and limits, and the upload instead of a URL', () => {
    const schema = inputJsonSchema(sora2Characters);
    expect(schema).toMatchObject({
      type: 'object',
      description: expect.stringMatching(/videoUrl, or uploaded as the file `video`/),
      properties: {
        videoUrl: {
          type: 'string',
          maxLength: 2048,
          description: expect.stringMatching(/1–4 s .* upload the file as `video`/),
        },
        prompt: {
          type: 'string',
          maxLength: 5000,
          pattern: '\\S',
          description: expect.stringContaining('not only whitespace'),
        },
        safetyInstruction: {
          type: 'string',
          maxLength: 5000,
          pattern: '\\S',
          description: expect.stringContaining('1 to 5000 characters, not only whitespace'),
        },
      },
      required: ['videoUrl'],
    });
    // The order an idempotency key's fingerprint lists the values in (see the plugin).
    expect(Object.keys(schema.properties as object)).toEqual([
      'prompt',
      'safetyInstruction',
      'videoUrl',
    ]);
  });

  it('describes the pro model’s properties, types and limits', () => {
    const schema = inputJsonSchema(sora2CharactersPro);
    expect(schema).toMatchObject({
      type: 'object',
      description: expect.stringContaining('createCharacterFromTask'),
      properties: {
        originTaskId: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
        startSeconds: { type: 'number', minimum: 0, maximum: 3600 },
        endSeconds: {
          type: 'number',
          minimum: 0,
          maximum: 3600,
          description: expect.stringContaining('1 to 4 s'),
        },
        prompt: { type: 'string', minLength: 1, maxLength: 5000, pattern: '\\S' },
        characterUserName: { type: 'string', maxLength: 40, pattern: '\\S' },
        safetyInstruction: { type: 'string', maxLength: 5000, pattern: '\\S' },
      },
      required: ['originTaskId', 'startSeconds', 'endSeconds', 'prompt'],
    });
    const properties = schema.properties as Record<string, { description?: string }>;
    expect(Object.keys(properties)).toHaveLength(6);
    for (const [name, property] of Object.entries(properties))
      expect(property.description, name).toEqual(expect.any(String));
  });
});
