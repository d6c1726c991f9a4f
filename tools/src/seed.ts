import type { Executor } from '@charanim/db';
import { sql } from 'drizzle-orm';

// Word lists for varied, realistic prompts: "A cheerful fox with a red scarf dancing in the rain".
const adjectives = [
  'cheerful',
  'grumpy',
  'sleepy',
  'brave',
  'tiny',
  'giant',
  'clumsy',
  'elegant',
  'curious',
  'shy',
  'noisy',
  'ancient',
  'futuristic',
  'friendly',
  'mysterious',
  'silly',
  'wise',
  'playful',
  'nervous',
  'proud',
  'gentle',
  'wild',
  'lazy',
  'quick',
  'glowing',
  'fluffy',
  'rusty',
  'shiny',
  'cartoon',
  'pixelated',
];
const creatures = [
  'fox',
  'robot',
  'knight',
  'dragon',
  'cat',
  'owl',
  'astronaut',
  'wizard',
  'pirate',
  'dancer',
  'chef',
  'detective',
  'unicorn',
  'penguin',
  'samurai',
  'mermaid',
  'ghost',
  'farmer',
  'scientist',
  'bear',
  'rabbit',
  'octopus',
  'vampire',
  'princess',
  'monk',
  'alien',
  'dinosaur',
  'skater',
  'gardener',
  'musician',
];
const colours = [
  'red',
  'blue',
  'green',
  'golden',
  'silver',
  'purple',
  'orange',
  'black',
  'white',
  'pink',
  'teal',
  'crimson',
];
const things = [
  'scarf',
  'hat',
  'cape',
  'umbrella',
  'guitar',
  'backpack',
  'sword',
  'lantern',
  'book',
  'skateboard',
  'bicycle',
  'telescope',
  'teapot',
  'kite',
  'crown',
  'jacket',
];
const actions = [
  'dancing in the rain',
  'running through a neon city',
  'sleeping on a windowsill',
  'cooking pancakes',
  'playing in the snow',
  'reading by the fire',
  'skating down a hill',
  'flying over the mountains',
  'fishing at dawn',
  'singing on a stage',
  'painting a mural',
  'exploring a cave',
  'waving at the camera',
  'juggling apples',
  'riding a train',
  'gardening in spring',
];

const list = (words: string[]) =>
  sql.raw(`array[${words.map((word) => `'${word}'`).join(',')}]::text[]`);
const pick = (array: ReturnType<typeof list>) =>
  sql`(${array})[1 + floor(random() * array_length(${array}, 1))::int]`;

export interface SeedOptions {
  count: number;
  owner: string;
  /** Rows per statement; each batch is one INSERT … SELECT done by the server. */
  batchSize?: number;
  /** Called after each batch with the number of characters written so far. */
  onProgress?: (written: number) => void;
}

/**
 * Fills the database with finished tasks and their characters, the prompts drawn from word lists,
 * created over the past year, a third with an upload that expires a day after. The server
 * makes the rows (INSERT … SELECT over generate_series), so a million take minutes, not hours.
 */
export async function seedCharacters(db: Executor, options: SeedOptions): Promise<void> {
  const batchSize = options.batchSize ?? 50_000;
  const prompt = sql`'A ' || ${pick(list(adjectives))} || ' ' || ${pick(list(creatures))} || ' with a ' || ${pick(list(colours))} || ' ' || ${pick(list(things))} || ' ' || ${pick(list(actions))}`;
  for (let written = 0; written < options.count; ) {
    const size = Math.min(batchSize, options.count - written);
    await db.execute(sql`
      with made as (
        insert into tasks (owner, model, state, input, created_at, updated_at, completed_at)
        select ${options.owner}, 'sora-2-characters', 'SUCCESS', '{}'::jsonb, at, at, at
        from (select now() - random() * interval '365 days' as at from generate_series(1, ${size})) times
        returning id, owner, created_at
      )
      insert into characters (owner, task_id, character_id, family, prompt, source_video_url, source_video_expires_at, created_at)
      select owner, id, 'char_' || substr(md5(id::text), 1, 12), 'sora-2', ${prompt},
        'https://videos.example.com/' || id || '.mp4',
        case when random() < 0.33 then created_at + interval '1 day' end,
        created_at
      from made
    `);
    written += size;
    options.onProgress?.(written);
  }
  // As autovacuum would after a bulk load, sooner: the planner's statistics, and the visibility
  // map that lets a one-word search read the lexeme index without visiting the table.
  await db.execute(sql`vacuum analyze characters, character_terms, search_terms`);
}
