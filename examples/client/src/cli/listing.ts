import type { Terminal } from './command.ts';

export interface Listing {
  /** The column names, shown above the rows on a terminal. */
  header: string[];
  rows: string[][];
  /** Said instead of the rows when there are none. */
  empty: string;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * A page of a list. On a terminal: a header and aligned columns, the last one as long as it is (a
 * video's URL is what the line is for). Anything else (a pipe, a file) gets one line per item with its columns between tabs
 * and nothing more, so that `cut -f1` or `wc -l` read it; the notes (no rows, the next page's
 * cursor) then go to stderr.
 */
export function printListing({ stdout, stderr }: Terminal, listing: Listing): void {
  const { pageInfo } = listing;
  // A description may hold tabs and line breaks: they would split a cell or a line.
  const rows = listing.rows.map((row) => row.map((cell) => cell.replace(/\s+/g, ' ')));
  const notes = stdout.isTTY ? stdout : stderr;
  if (rows.length === 0) notes.write(`${listing.empty}\n`);
  else if (stdout.isTTY) stdout.write(aligned([listing.header, ...rows]));
  else stdout.write(rows.map((row) => `${row.join('\t')}\n`).join(''));
  if (pageInfo.hasNextPage && pageInfo.endCursor)
    notes.write(`more: --after ${pageInfo.endCursor}\n`);
}

function aligned(lines: string[][]): string {
  const widths = (lines[0] ?? []).map((_, column) =>
    Math.max(...lines.map((line) => (line[column] ?? '').length)),
  );
  return lines
    .map((line) => {
      const padded = line.map((cell, column) =>
        column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      );
      return `${padded.join('  ').trimEnd()}\n`;
    })
    .join('');
}
