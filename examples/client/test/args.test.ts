import { describe, expect, it } from 'vitest';
import { parseInvocation, UsageError } from '../src/cli/args.ts';

const parse = (args: string[], env: Record<string, string> = {}) => parseInvocation(args, env);

describe('parseInvocation', () => {
  it('reads a create from a file, the key from the environment and the default endpoint', () => {
    expect(
      parse(['create', '--video', './clip.mp4', '--prompt', 'A fox', '--watch'], {
        CHARANIM_API_KEY: 'cag_env',
      }),
    ).toEqual({
      endpoint: 'http://127.0.0.1:4000/graphql',
      apiKey: 'cag_env',
      command: { name: 'create', video: { path: './clip.mp4' }, prompt: 'A fox', watch: true },
    });
  });

  it('lets --key and --endpoint win over the environment', () => {
    const invocation = parse(
      ['search', 'red', 'fox', '--key', 'cag_flag', '--endpoint', 'https://gw.example.com/graphql'],
      { CHARANIM_API_KEY: 'cag_env', CHARANIM_ENDPOINT: 'http://elsewhere/graphql' },
    );
    expect(invocation).toEqual({
      endpoint: 'https://gw.example.com/graphql',
      apiKey: 'cag_flag',
      command: { name: 'search', words: 'red fox' },
    });
  });

  it('reads usage, which takes nothing but the global options', () => {
    expect(parse(['usage', '--key', 'cag_flag']).command).toEqual({ name: 'usage' });
    expect(() => parse(['usage', 'acme'])).toThrow('usage takes no argument, not acme');
    expect(() => parse(['usage', '--watch'])).toThrow('usage does not take --watch');
  });

  it('answers --help with the help and --version with the version', () => {
    expect(parse(['--help']).command).toEqual({ name: 'help' });
    expect(parse(['search', 'fox', '-h']).command).toEqual({ name: 'help' });
    expect(parse(['--version']).command).toEqual({ name: 'version' });
  });

  it.each([
    [['create'], 'create needs exactly one of --video FILE and --url URL'],
    [['create', '--video', 'a.mp4', '--url', 'https://x/a.mp4'], 'create needs exactly one'],
    [['search'], 'search needs the words to look for'],
    [['search', 'fox', '--watch'], 'search does not take --watch'],
    [['search', 'fox', '--first', '0'], '--first must be a positive whole number, not 0'],
    [['task'], 'task needs exactly one task id'],
    [['task', 'a', '--video', 'x'], 'task does not take --video'],
    [['fly'], 'unknown command fly'],
    [[], 'no command given: use create, search, task or usage'],
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
