import { readdirSync, readFileSync } from 'node:fs';
import type { Goal } from './goals.ts';

const START = '<!-- bench:table:start -->';
const END = '<!-- bench:table:end -->';

/** One row per goal of every result in `dir`, as a Markdown table. */
export function goalsTable(dir: URL): string {
  const rows = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const result = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as {
        name: string;
        ranAt: string;
        goals?: Goal[];
      };
      return (result.goals ?? []).map(
        (goal) =>
          `| ${result.name} | ${goal.name} | ${goal.target} | ${goal.measured} | ${goal.met === null ? '—' : goal.met ? 'met' : '**missed**'} | ${result.ranAt.slice(0, 10)} |`,
      );
    });
  return [
    '| benchmark | figure | goal | measured | verdict | run |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** BENCHMARKS.md with the text between its table markers replaced. */
export function withTable(markdown: string, table: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`BENCHMARKS.md lacks ${START} … ${END}`);
  return `${markdown.slice(0, start + START.length)}\n\n${table}\n\n${markdown.slice(end)}`;
}
