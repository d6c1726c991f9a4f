import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Executor } from '../../database.ts';
import { characters, videoCharacters, videos } from '../../schema.ts';

/** The video a finished task makes, as its store writes it. */
export interface NewVideo {
  urls: string[];
  /** ISO time when kie.ai deletes the file. */
  expiresAt: string | null;
  /** Our ids of the characters the task referenced, in its order. */
  characterIds: string[];
}

/** The record as one JSON object whose keys are the columns `jsonb_to_record` reads. */
export function videoRecord(video: NewVideo): Record<string, unknown> {
  return { urls: video.urls, expires_at: video.expiresAt, character_ids: video.characterIds };
}

/**
 * The inserts of the video and of the characters it used, as CTEs of the statement that moves its
 * task to SUCCESS: all land or none. A character deleted since the task was sent is left out
 * rather than failing the task.
 */
export function videoWrites(db: Executor, moved: SQLWrapper, record: SQL) {
  const made = db.$with('made_video', { id: sql<string>`id` }).as(
    sql`insert into ${videos} (owner, task_id, model, url, urls, expires_at)
      select m.owner, m.id, m.model, r.urls->>0,
        array(select jsonb_array_elements_text(r.urls)), r.expires_at
      from ${moved} m, jsonb_to_record(${record}) as r(urls jsonb, expires_at timestamptz)
      on conflict (task_id) do nothing
      returning id`,
  );
  const cast = db.$with('made_video_characters', { videoId: sql<string>`video_id` }).as(
    sql`insert into ${videoCharacters} (video_id, character_id, position)
      select v.id, c.id, used.position - 1
      from ${made} v,
        jsonb_array_elements_text(${record} -> 'character_ids') with ordinality as used(id, position)
        join ${characters} c on c.id = used.id::uuid
      returning video_id`,
  );
  return [made, cast];
}
