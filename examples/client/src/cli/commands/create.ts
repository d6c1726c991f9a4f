import { CreateCharacter } from '../../operations.ts';
import { defineCommand } from '../command.ts';
import { flag, noArguments, text, UsageError } from '../command-line.ts';
import { reportCreated } from '../follow.ts';
import { openFile } from '../local-file.ts';

/** The Gemini Omni character model, which `--portrait` implies when no --model is given. */
export const GEMINI_OMNI_CHARACTER = 'gemini-omni-character';

/** A file to upload, or a URL the gateway hands on without fetching it. */
type Source = { path: string } | { url: string };

/** `--portrait ./fox.jpg` is a file to upload, `--portrait https://…/fox.jpg` a URL. */
function fileOrUrl(value: string | undefined): Source | undefined {
  if (value === undefined) return undefined;
  return /^https?:\/\//i.test(value) ? { url: value } : { path: value };
}

/** A source as the input's file field or the URL field it replaces; a file is opened first. */
async function sent(option: string, source: Source | undefined) {
  if (source === undefined) return { file: undefined, url: undefined };
  if ('url' in source) return { file: undefined, url: source.url };
  return { file: await openFile(option, source.path), url: undefined };
}

export const create = defineCommand({
  name: 'create',
  usage: `create --portrait FILE|URL --description TEXT [--full-body FILE|URL] [--name NAME]
       [--model gemini-omni-character] [--idempotency-key KEY] [--watch]
    Make a Gemini Omni character, at once, from a portrait and an optional full-body shot: a
    file is uploaded, a URL passed on. --portrait implies the model.
create (--video FILE | --url URL) [--prompt TEXT] [--safety TEXT] [--idempotency-key KEY]
       [--watch]
    Make a Sora 2 character from a 1–4 s video (sora-2-characters, paused at kie.ai).`,
  options: {
    model: { type: 'string' },
    portrait: { type: 'string' },
    'full-body': { type: 'string' },
    description: { type: 'string' },
    name: { type: 'string' },
    video: { type: 'string' },
    url: { type: 'string' },
    prompt: { type: 'string' },
    safety: { type: 'string' },
    'idempotency-key': { type: 'string' },
    watch: { type: 'boolean' },
  },
  parse(positionals, values) {
    noArguments('create', positionals);
    const portrait = fileOrUrl(text(values, 'portrait'));
    const videoPath = text(values, 'video');
    const videoUrl = text(values, 'url');
    if (videoPath !== undefined && videoUrl !== undefined) {
      throw new UsageError('create takes one of --video FILE and --url URL, not both');
    }
    if (portrait === undefined && videoPath === undefined && videoUrl === undefined) {
      throw new UsageError(
        'create needs a source: --portrait FILE|URL (Gemini Omni), or --video FILE or --url URL (Sora 2)',
      );
    }
    const video: Source | undefined =
      videoPath !== undefined
        ? { path: videoPath }
        : videoUrl !== undefined
          ? { url: videoUrl }
          : undefined;
    return {
      model: text(values, 'model') ?? (portrait ? GEMINI_OMNI_CHARACTER : undefined),
      portrait,
      fullBody: fileOrUrl(text(values, 'full-body')),
      video,
      description: text(values, 'description'),
      name: text(values, 'name'),
      prompt: text(values, 'prompt'),
      safetyInstruction: text(values, 'safety'),
      idempotencyKey: text(values, 'idempotency-key'),
      watch: flag(values, 'watch'),
    };
  },
  async run(client, args, terminal) {
    // Before any request: a file that cannot be sent is the command line's fault, not the gateway's.
    const video = await sent('--video', args.video);
    const portrait = await sent('--portrait', args.portrait);
    const fullBody = await sent('--full-body', args.fullBody);
    // What was not given stays out of the request (JSON drops undefined), as a user would write it.
    const { createCharacter } = await client.request(CreateCharacter, {
      input: {
        model: args.model,
        video: video.file,
        videoUrl: video.url,
        portrait: portrait.file,
        portraitUrl: portrait.url,
        fullBody: fullBody.file,
        fullBodyUrl: fullBody.url,
        description: args.description,
        name: args.name,
        prompt: args.prompt,
        safetyInstruction: args.safetyInstruction,
        idempotencyKey: args.idempotencyKey,
      },
    });
    return reportCreated(client, createCharacter, args.watch, terminal);
  },
});
