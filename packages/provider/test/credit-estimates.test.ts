import { describe, expect, it } from 'vitest';
import { createModelRegistry } from '../src/models/index.ts';

/** What each plugin reserves of an owner's budget, by kie.ai's prices (kie-models.md, kie-api.md). */

const models = createModelRegistry();

function estimate(id: string, input: Record<string, unknown>): number {
  const model = models.get(id);
  if (!model) throw new Error(`no model ${id}`);
  return model.estimateCredits(model.input.parse(input));
}

describe('estimateCredits', () => {
  it.each([
    [4, 63, 147],
    [6, 84, 168],
    [8, 105, 189],
    [10, 126, 210],
  ])(
    'prices a %i s Gemini Omni video at %i credits up to 1080p and %i at 4k',
    (seconds, standard, fourK) => {
      for (const id of ['google/gemini-omni-flash-1-1', 'gemini-omni-video']) {
        const input = { prompt: 'A fox waves', durationSeconds: seconds };
        expect(estimate(id, input)).toBe(standard);
        expect(estimate(id, { ...input, resolution: '1080p' })).toBe(standard);
        expect(estimate(id, { ...input, resolution: '4k' })).toBe(fourK);
      }
      expect(
        estimate('google/gemini-omni-flash-1-1', {
          prompt: 'x',
          durationSeconds: seconds,
          resolution: '360p',
        }),
      ).toBe(standard);
    },
  );

  it('prices a Gemini Omni character at nothing and a Sora 2 character at 10', () => {
    expect(
      estimate('gemini-omni-character', {
        description: 'A fox',
        portraitUrl: 'https://images.example.com/fox.jpg',
      }),
    ).toBe(0);
    expect(estimate('sora-2-characters', { videoUrl: 'https://videos.example.com/a.mp4' })).toBe(
      10,
    );
    expect(
      estimate('sora-2-characters-pro', {
        originTaskId: 'task_1',
        startSeconds: 0,
        endSeconds: 2,
        prompt: 'A fox',
      }),
    ).toBe(10);
  });

  it('prices a Sora 2 video by its length, 10 s unless said otherwise', () => {
    expect(estimate('sora-2-text-to-video', { prompt: 'A fox' })).toBe(30);
    expect(estimate('sora-2-text-to-video', { prompt: 'A fox', durationSeconds: 15 })).toBe(45);
  });
});
