import { describe, expect, it } from 'vitest';
import { createModelRegistry, parseCharacterResult } from '../src/models/index.ts';

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

  it('maps the input to the provider input with one video URL', () => {
    if (!model) throw new Error('sora-2-characters is not registered');
    const input = model.input.parse({ videoUrl: 'https://x.test/a.mp4', prompt: 'a cat' });
    expect(model.toProviderInput(input)).toEqual({
      character_file_url: ['https://x.test/a.mp4'],
      character_prompt: 'a cat',
    });
  });
});
