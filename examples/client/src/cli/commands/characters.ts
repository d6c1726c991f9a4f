import type { Client } from '../../client.ts';
import type { VariablesOf } from '../../graphql.ts';
import { Characters } from '../../operations.ts';
import { defineCommand, type Terminal } from '../command.ts';
import { pageOf, pageOptions, pageUsage } from '../command-line.ts';
import { printListing } from '../listing.ts';

/** A page of characters as a listing, searched or not: the `characters` and `search` commands. */
export async function listCharacters(
  client: Client,
  variables: VariablesOf<typeof Characters>,
  terminal: Terminal,
): Promise<number> {
  const { characters } = await client.request(Characters, variables);
  printListing(terminal, {
    header: ['ID', 'CHARACTER', 'FAMILY', 'NAME', 'DESCRIPTION'],
    rows: characters.edges.map(({ node }) => [
      node.id,
      node.characterId,
      node.family,
      node.name ?? '',
      `${node.prompt ?? ''}${node.usable ? '' : ' (expired)'}`,
    ]),
    empty: variables.search ? 'no character matches' : 'no character yet',
    pageInfo: characters.pageInfo,
  });
  return 0;
}

export const characters = defineCommand({
  name: 'characters',
  usage: `characters [WORDS] ${pageUsage}
    List your characters, newest first, or with WORDS those that have them, best match first:
    the id (what video --character takes), kie.ai's id, family, name and description.`,
  options: pageOptions,
  parse(positionals, values) {
    return { search: positionals.join(' ').trim() || null, ...pageOf(values) };
  },
  run: listCharacters,
});
