import { describe, expect, it } from 'vitest';
import { parseInvocation, USAGE, UsageError } from '../src/cli/args.ts';
import { commands } from '../src/cli/commands/index.ts';

const parse = (args: string[], env: Record<string, string> = {}) => parseInvocation(args, env);

/** The arguments a command's parse made of the command line. */
function argsOf(args: string[]) {
  const { command } = parse(args);
  if (command.kind !== 'run') throw new Error(`${args.join(' ')} runs no command`);
  return { name: command.name, args: command.args };
}

describe('parseInvocation', () => {
  it('reads a create from a file, the key from the environment and the default endpoint', () => {
    const invocation = parse(['create', '--video', './clip.mp4', '--prompt', 'A fox', '--watch'], {
      CHARANIM_API_KEY: 'cag_env',
    });
    expect(invocation).toMatchObject({
      endpoint: 'http://127.0.0.1:4000/graphql',
      apiKey: 'cag_env',
      command: { kind: 'run', name: 'create' },
    });
    expect(
      argsOf(['create', '--video', './clip.mp4', '--prompt', 'A fox', '--watch']).args,
    ).toEqual(
      expect.objectContaining({ video: { path: './clip.mp4' }, prompt: 'A fox', watch: true }),
    );
  });

  it('lets --key and --endpoint win over the environment', () => {
    const invocation = parse(
      ['search', 'red', 'fox', '--key', 'cag_flag', '--endpoint', 'https://gw.example.com/graphql'],
      { CHARANIM_API_KEY: 'cag_env', CHARANIM_ENDPOINT: 'http://elsewhere/graphql' },
    );
    expect(invocation).toMatchObject({
      endpoint: 'https://gw.example.com/graphql',
      apiKey: 'cag_flag',
      command: {
        kind: 'run',
        name: 'search',
        args: { search: 'red fox', first: null, after: null },
      },
    });
  });

  it('answers --help with the help and --version with the version', () => {
    expect(parse(['--help']).command).toEqual({ kind: 'help' });
    expect(parse(['search', 'fox', '-h']).command).toEqual({ kind: 'help' });
    expect(parse(['--version']).command).toEqual({ kind: 'version' });
  });

  it('reads a Gemini Omni character: a local portrait to upload, a full-body URL, the model implied', () => {
    expect(
      argsOf([
        'create',
        '--portrait',
        './fox.jpg',
        '--full-body',
        'https://images.example.com/fox-body.png',
        '--description',
        'A red fox',
        '--name',
        'Foxy',
      ]),
    ).toEqual({
      name: 'create',
      args: {
        model: 'gemini-omni-character',
        portrait: { path: './fox.jpg' },
        fullBody: { url: 'https://images.example.com/fox-body.png' },
        video: undefined,
        description: 'A red fox',
        name: 'Foxy',
        prompt: undefined,
        safetyInstruction: undefined,
        idempotencyKey: undefined,
        watch: false,
      },
    });
    // A URL in any case of its scheme is passed on; the model given is the model sent.
    expect(
      argsOf(['create', '--portrait', 'HTTPS://images.example.com/f.jpg', '--model', 'other']).args,
    ).toMatchObject({ model: 'other', portrait: { url: 'HTTPS://images.example.com/f.jpg' } });
    // Sora's options leave the model to the gateway's default, as before.
    expect(argsOf(['create', '--url', 'https://v.example.com/a.mp4']).args).toMatchObject({
      model: undefined,
      video: { url: 'https://v.example.com/a.mp4' },
    });
  });

  it('reads a video with repeated characters and images, numbers as numbers', () => {
    expect(
      argsOf([
        'video',
        '--prompt',
        'Foxy waves',
        '--character',
        'Q2hhcjox',
        '--character',
        'Q2hhcjoy',
        '--duration',
        '6',
        '--aspect-ratio',
        '9:16',
        '--resolution',
        '720p',
        '--image',
        'https://images.example.com/forest.jpg',
        '--seed',
        '42',
        '--idempotency-key',
        'fox-1',
        '--watch',
      ]).args,
    ).toEqual({
      model: 'google/gemini-omni-flash-1-1',
      prompt: 'Foxy waves',
      characters: ['Q2hhcjox', 'Q2hhcjoy'],
      durationSeconds: 6,
      aspectRatio: '9:16',
      resolution: '720p',
      images: ['https://images.example.com/forest.jpg'],
      seed: 42,
      idempotencyKey: 'fox-1',
      watch: true,
    });
    expect(argsOf(['video', '--prompt', 'A lake', '--model', 'gemini-omni-video']).args).toEqual({
      model: 'gemini-omni-video',
      prompt: 'A lake',
      characters: undefined,
      durationSeconds: undefined,
      aspectRatio: undefined,
      resolution: undefined,
      images: undefined,
      seed: undefined,
      idempotencyKey: undefined,
      watch: false,
    });
  });

  it('reads the lists: tasks by state in any case, characters with or without words', () => {
    expect(argsOf(['tasks', '--state', 'fail', '--first', '5']).args).toEqual({
      state: 'FAIL',
      first: 5,
      after: null,
    });
    expect(argsOf(['tasks']).args).toEqual({ state: null, first: null, after: null });
    expect(argsOf(['characters']).args).toEqual({ search: null, first: null, after: null });
    expect(argsOf(['videos', '--character', 'Q2hhcjox', '--first', '3']).args).toEqual({
      filter: { character: 'Q2hhcjox', model: undefined },
      first: 3,
      after: null,
    });
    expect(argsOf(['characters', 'red', 'fox', '--after', 'abc']).args).toEqual({
      search: 'red fox',
      first: null,
      after: 'abc',
    });
    expect(argsOf(['usage']).args).toEqual({});
  });

  it.each([
    [['create'], 'create needs a source: --portrait FILE|URL (Gemini Omni), or --video FILE'],
    [['create', '--prompt', 'A fox'], 'create needs a source'],
    [
      ['create', '--video', 'a.mp4', '--url', 'https://x/a.mp4'],
      'create takes one of --video FILE and --url URL, not both',
    ],
    [['create', 'fox.jpg'], 'create takes no argument, not fox.jpg'],
    [['create', '--portrait', 'a.jpg', '--state', 'FAIL'], 'create does not take --state'],
    [['video', '--duration', '6'], 'video needs --prompt TEXT'],
    [['video', '--prompt', 'p', '--duration', '6.5'], '--duration must be a whole number, not 6.5'],
    [['video', '--prompt', 'p', '--seed', 'lucky'], '--seed must be a whole number, not lucky'],
    [['video', '--prompt', 'p', '--portrait', 'a.jpg'], 'video does not take --portrait'],
    [['search'], 'search needs the words to look for'],
    [['usage', 'acme'], 'usage takes no argument, not acme'],
    [['usage', '--watch'], 'usage does not take --watch'],
    [['search', 'fox', '--watch'], 'search does not take --watch'],
    [['search', 'fox', '--first', '0'], '--first must be a positive whole number, not 0'],
    [['characters', '--first', 'ten'], '--first must be a positive whole number, not ten'],
    [['tasks', '--state', 'DONE'], '--state must be one of PENDING, WAITING, QUEUING'],
    [['tasks', 'fox'], 'tasks takes no argument, not fox'],
    [['videos', '--character', 'a', '--character', 'b'], 'videos takes one --character ID'],
    [['task'], 'task needs exactly one task id'],
    [['task', 'a', '--video', 'x'], 'task does not take --video'],
    [
      ['fly'],
      'unknown command fly: use create, video, task, tasks, characters, videos, search or usage',
    ],
    [[], 'no command given: use create, video, task, tasks, characters, videos, search or usage'],
    [['search', 'fox', '--colour'], 'unknown option --colour'],
    [['search', 'fox', '-x'], 'unknown option -x'],
    [['search', 'fox', '--endpoint'], '--endpoint needs a value'],
    [
      ['create', '--prompt', '--watch'],
      '--prompt needs a value (write one that starts with - as --prompt=-…)',
    ],
    [['task', 'a', '--watch=yes'], '--watch takes no value'],
    [['search', 'fox', '--endpoint', 'ftp://x'], '--endpoint must be an http(s) URL'],
  ])('refuses %j', (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });

  it.each([
    [['--version', '--colour']],
    [['-hx']],
    [['search', 'fox', '--after']],
    [['search', 'fox', '--after', '--first']],
    [['task', 'a', '--help=no']],
  ])('says what is wrong with the options of %j in one line, without quotes', (args) => {
    let message = '';
    try {
      parse(args);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^(unknown option|--\w+ (needs|takes))/);
    expect(message).not.toMatch(/[\n'"]/);
  });
});

describe('the command table', () => {
  it('declares an option the same way in every command that takes it', () => {
    // One parse reads every command's options: two meanings of one option would break one of them.
    const seen = new Map<string, unknown>();
    for (const command of commands) {
      for (const [option, config] of Object.entries(command.options)) {
        expect(seen.get(option) ?? config, `--${option} of ${command.name}`).toEqual(config);
        seen.set(option, config);
      }
    }
  });

  it('gives every command its place in the usage, with each of its options', () => {
    for (const command of commands) {
      expect(USAGE).toMatch(new RegExp(`^  ${command.name}( |$)`, 'm'));
      for (const option of Object.keys(command.options)) {
        expect(command.usage, `--${option} of ${command.name}`).toContain(`--${option}`);
      }
    }
  });
});
