import { Videos } from '../../operations.ts';
import { defineCommand } from '../command.ts';
import {
  list,
  noArguments,
  pageOf,
  pageOptions,
  pageUsage,
  text,
  UsageError,
} from '../command-line.ts';
import { printListing } from '../listing.ts';

export const videos = defineCommand({
  name: 'videos',
  usage: `videos [--character ID] [--model MODEL] ${pageUsage}
    List your videos, newest first (of one character, or one model): id, model, when made,
    until when kie.ai keeps the file, the characters in it, and its URL.`,
  options: {
    character: { type: 'string', multiple: true },
    model: { type: 'string' },
    ...pageOptions,
  },
  parse(positionals, values) {
    noArguments('videos', positionals);
    // Repeatable, as video declares it; a list of videos filters by one character.
    const characters = list(values, 'character') ?? [];
    if (characters.length > 1) throw new UsageError('videos takes one --character ID');
    return {
      filter: { character: characters[0], model: text(values, 'model') },
      ...pageOf(values),
    };
  },
  async run(client, variables, terminal) {
    const { videos } = await client.request(Videos, variables);
    printListing(terminal, {
      header: ['ID', 'MODEL', 'CREATED', 'EXPIRES', 'CHARACTERS', 'URL'],
      rows: videos.edges.map(({ node }) => [
        node.id,
        node.model,
        node.createdAt,
        `${node.expiresAt ?? 'unknown'}${node.usable ? '' : ' (expired)'}`,
        node.characters.map((character) => character.name ?? character.characterId).join(', '),
        node.url,
      ]),
      empty: 'no video yet',
      pageInfo: videos.pageInfo,
    });
    return 0;
  },
});
