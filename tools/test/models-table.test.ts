import { readFileSync } from 'node:fs';
import { createModelRegistry } from '@charanim/tasks';
import { describe, expect, it } from 'vitest';
import { describeInput, modelsTable, tableIn, withTable } from '../src/models-table.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const models = createModelRegistry().list();

describe('the README’s table of the models', () => {
  it('lists every registered model, one row each', () => {
    const table = tableIn(readme) ?? '';
    for (const model of models) {
      expect(table, model.id).toMatch(new RegExp(`^\\| \`${model.id}\` +\\|`, 'm'));
    }
    expect(table.split('\n')).toHaveLength(models.length + 2);
  });

  it('is what the plugins say now: run `npm run readme:models` after changing one', () => {
    expect(tableIn(readme)).toBe(modelsTable(models));
  });
});

describe('describeInput', () => {
  it('names the required fields, then the optional ones, with uploads and choices', () => {
    const byId = (id: string) => models.find((model) => model.id === id);
    expect(describeInput(byId('gemini-omni-character') as (typeof models)[number])).toBe(
      '`description`, `portraitUrl` or an upload as `portrait`; optional `name`, `fullBodyUrl` or an upload as `fullBody`',
    );
    expect(describeInput(byId('gemini-omni-video') as (typeof models)[number])).toBe(
      '`prompt`, `durationSeconds` (4, 6, 8, 10); optional `characters` (≤ 3), `aspectRatio` (16:9, 9:16), `resolution` (720p, 1080p, 4k), `images` (≤ 7), `seed` (0–2147483647)',
    );
  });
});

describe('withTable', () => {
  it('replaces only what lies between the markers', () => {
    const rewritten = withTable(readme, '| new |');
    expect(tableIn(rewritten)).toBe('| new |');
    expect(withTable(rewritten, modelsTable(models))).toBe(readme);
  });
});
