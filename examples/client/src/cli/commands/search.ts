import { defineCommand } from '../command.ts';
import { pageOf, pageOptions, pageUsage, UsageError } from '../command-line.ts';
import { listCharacters } from './characters.ts';

export const search = defineCommand({
  name: 'search',
  usage: `search WORDS ${pageUsage}
    Find your characters by the words of their description or prompt (as characters WORDS).`,
  options: pageOptions,
  parse(positionals, values) {
    const search = positionals.join(' ').trim();
    if (!search) throw new UsageError('search needs the words to look for');
    return { search, ...pageOf(values) };
  },
  run: listCharacters,
});
