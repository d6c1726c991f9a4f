import { CreateVideo } from '../../operations.ts';
import { defineCommand } from '../command.ts';
import { flag, list, noArguments, text, UsageError, wholeNumber } from '../command-line.ts';
import { reportCreated } from '../follow.ts';

/** The living video model at kie.ai (the Sora 2 ones are paused), taken when no --model is given. */
export const DEFAULT_VIDEO_MODEL = 'google/gemini-omni-flash-1-1';

export const video = defineCommand({
  name: 'video',
  usage: `video --prompt TEXT --duration SECONDS [--character ID]... [--model MODEL]
      [--aspect-ratio 16:9|9:16] [--resolution RES] [--image URL]... [--seed N]
      [--idempotency-key KEY] [--watch]
    Make a video of up to 3 of your characters (their ids, from create or characters). MODEL:
    ${DEFAULT_VIDEO_MODEL} (the default), gemini-omni-video, or sora-2-text-to-video
    (paused at kie.ai). --watch prints the video's URL and expiry at the end.`,
  options: {
    model: { type: 'string' },
    prompt: { type: 'string' },
    character: { type: 'string', multiple: true },
    duration: { type: 'string' },
    'aspect-ratio': { type: 'string' },
    resolution: { type: 'string' },
    image: { type: 'string', multiple: true },
    seed: { type: 'string' },
    'idempotency-key': { type: 'string' },
    watch: { type: 'boolean' },
  },
  parse(positionals, values) {
    noArguments('video', positionals);
    const prompt = text(values, 'prompt');
    if (prompt === undefined) throw new UsageError('video needs --prompt TEXT');
    return {
      model: text(values, 'model') ?? DEFAULT_VIDEO_MODEL,
      prompt,
      characters: list(values, 'character'),
      durationSeconds: wholeNumber(values, 'duration'),
      aspectRatio: text(values, 'aspect-ratio'),
      resolution: text(values, 'resolution'),
      images: list(values, 'image'),
      seed: wholeNumber(values, 'seed'),
      idempotencyKey: text(values, 'idempotency-key'),
      watch: flag(values, 'watch'),
    };
  },
  async run(client, { watch, ...input }, terminal) {
    const { createVideo } = await client.request(CreateVideo, { input });
    return reportCreated(client, createVideo, watch, terminal);
  },
});
