import { describe, expect, it } from 'vitest';
import { createModelRegistry, parseCharacterResult, sora2Characters } from '../src/models/index.ts';

describe('parseCharacterResult', () => {
  it.each([
    ['character_id', '{"character_id":"char_1"}'],
    ['character_id_list as a string', '{"character_id_list":"char_1"}'],
    ['character_id_list as an array', '{"character_id_list":["char_1","char_2"]}'],
    ['character_id_list as a JSON-encoded list', '{"character_id_list":"[\\"char_1\\"]"}'],
    ['both, character_id first', '{"character_id":"char_1","character_id_list":["char_2"]}'],
    ['an empty character_id beside a list', '{"character_id":"","character_id_list":["char_1"]}'],
  ])('reads %s', (_, resultJson) => {
    expect(parseCharacterResult(resultJson)).toEqual({ characterId: 'char_1' });
  });

  it.each([
    ['no id', '{}'],
    ['an empty list', '{"character_id_list":[]}'],
    ['null', 'null'],
  ])('throws for %s', (_, resultJson) => {
    expect(() => parseCharacterResult(resultJson)).toThrow('resultJson names no character id');
  });

  it('throws for a result that is not JSON', () => {
    expect(() => parseCharacterResult('char_1')).toThrow(SyntaxError);
  });
});

describe('sora-2-characters', () => {
  const model = createModelRegistry().get('sora-2-characters');
  const videoUrl = 'https://x.test/a.mp4';

  /** The issues of a parse that must fail, as `path: message`. */
  function issuesOf(input: Record<string, unknown>): string[] {
    const parsed = sora2Characters.input.safeParse({ videoUrl, ...input });
    if (parsed.success) throw new Error('the input was accepted');
    return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  }

  it('takes no prompt, and refuses one that is empty or only whitespace', () => {
    expect(sora2Characters.input.parse({ videoUrl })).toEqual({ videoUrl });
    expect(issuesOf({ prompt: '' })).toEqual([
      'prompt: prompt is 0 characters; must be at least 1 (leave prompt out for none)',
    ]);
    for (const prompt of ['   ', '\n\t', '\u3000'])
      expect(issuesOf({ prompt })).toEqual([
        'prompt: prompt is only whitespace; must have at least 1 character that is not whitespace',
      ]);
    expect(issuesOf({ prompt: ' '.repeat(5001) })[0]).toBe(
      'prompt: prompt is 5001 characters; must be at most 5000',
    );
  });

  it('refuses a safety instruction that is empty or only whitespace, rather than send it', () => {
    expect(issuesOf({ safetyInstruction: '' })).toEqual([
      'safetyInstruction: safetyInstruction is 0 characters; must be at least 1 (leave safetyInstruction out for none)',
    ]);
    expect(issuesOf({ safetyInstruction: ' \t ' })).toEqual([
      'safetyInstruction: safetyInstruction is only whitespace; must have at least 1 character that is not whitespace',
    ]);
    expect(sora2Characters.input.parse({ videoUrl, safetyInstruction: ' kind ' })).toEqual({
      videoUrl,
      safetyInstruction: ' kind ',
    });
  });

  it('keeps the prompt as written, whitespace around it included', () => {
    expect(sora2Characters.input.parse({ videoUrl, prompt: ' a cat ' }).prompt).toBe(' a cat ');
  });

  it('checks the text fields without the URL, as createCharacter does for an upload', () => {
    const text = sora2Characters.input.omit({ videoUrl: true });
    expect(text.safeParse({ prompt: 'a cat' }).success).toBe(true);
    expect(text.safeParse({ prompt: '  ' }).error?.issues[0]?.path).toEqual(['prompt']);
  });

  it('maps the input to the provider input with one video URL', () => {
    if (model?.mode !== 'task') throw new Error('sora-2-characters is not a registered task model');
    const input = model.input.parse({ videoUrl: 'https://x.test/a.mp4', prompt: 'a cat' });
    expect(model.toProviderInput(input, { characters: [] })).toEqual({
      character_file_url: ['https://x.test/a.mp4'],
      character_prompt: 'a cat',
    });
  });
});
