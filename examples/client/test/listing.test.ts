import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type Listing, printListing } from '../src/cli/listing.ts';

function terminal(isTTY: boolean) {
  const written = { stdout: '', stderr: '' };
  const sink = (name: keyof typeof written) =>
    new Writable({
      write(chunk, _encoding, done) {
        written[name] += chunk;
        done();
      },
    });
  return {
    terminal: { stdout: Object.assign(sink('stdout'), { isTTY }), stderr: sink('stderr') },
    written,
  };
}

const listing: Listing = {
  header: ['ID', 'NAME', 'DESCRIPTION'],
  rows: [
    ['Q2g6MQ==', 'Foxy', 'A red fox\tin a\nknitted scarf'],
    ['Q2g6MjI=', '', 'An owl'],
  ],
  empty: 'no character yet',
  pageInfo: { hasNextPage: true, endCursor: 'WyJ4Il0' },
};

describe('printListing', () => {
  it('prints one tab-separated line per item when piped, and the notes on stderr', () => {
    const { terminal: t, written } = terminal(false);
    printListing(t, listing);
    expect(written.stdout).toBe(
      'Q2g6MQ==\tFoxy\tA red fox in a knitted scarf\nQ2g6MjI=\t\tAn owl\n',
    );
    expect(written.stderr).toBe('more: --after WyJ4Il0\n');
  });

  it('aligns the columns under a header on a terminal, the notes with them', () => {
    const { terminal: t, written } = terminal(true);
    printListing(t, listing);
    expect(written.stdout).toBe(
      [
        'ID        NAME  DESCRIPTION',
        'Q2g6MQ==  Foxy  A red fox in a knitted scarf',
        'Q2g6MjI=        An owl',
        'more: --after WyJ4Il0',
        '',
      ].join('\n'),
    );
    expect(written.stderr).toBe('');
  });

  it('says there is nothing instead of an empty table', () => {
    const empty = { ...listing, rows: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const piped = terminal(false);
    printListing(piped.terminal, empty);
    expect(piped.written).toEqual({ stdout: '', stderr: 'no character yet\n' });
    const onTerminal = terminal(true);
    printListing(onTerminal.terminal, empty);
    expect(onTerminal.written).toEqual({ stdout: 'no character yet\n', stderr: '' });
  });
});
