import { sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import {
  callbackEvents,
  characters,
  characterTerms,
  tasks,
  videoCharacters,
  videos,
} from '../schema.ts';
import { rowsOf } from './rows.ts';

/** What a deletion took away: the task, and the character or video it had made. */
export interface DeletedTask {
  taskId: string;
  characterId: string | null;
  videoId: string | null;
}

/**
 * Deletes one of the owner's finished tasks and what it made, in one statement: its character
 * (with its search words and its places in videos' character lists) or its video (with its list
 * of characters), and the callbacks kie.ai sent for it. Undefined when the owner has no such
 * finished task. Its credit charge is kept: the credits were spent. The owner's vocabulary
 * (`search_terms`) keeps the words, as candidates for a typo that then match nothing.
 */
export async function deleteFinishedTask(
  db: Executor,
  owner: string,
  id: string,
): Promise<DeletedTask | undefined> {
  // Foreign keys are checked at the end of the statement, when none of these rows is left.
  const result = await db.execute(sql`
    with gone as (
      delete from ${tasks}
      where id = ${id}::uuid and owner = ${owner} and state in ('SUCCESS', 'FAIL')
      returning id
    ), gone_character as (
      delete from ${characters} c using gone where c.task_id = gone.id
      returning c.id, c.owner, c.prompt
    ), gone_terms as (
      delete from ${characterTerms} ct using gone_character gc
      where ct.owner = gc.owner and ct.character_id = gc.id
        and ct.term in (select lexeme from unnest(to_tsvector('simple', coalesce(gc.prompt, ''))))
    ), gone_video as (
      delete from ${videos} v using gone where v.task_id = gone.id
      returning v.id
    ), gone_cast as (
      delete from ${videoCharacters} vc
      where vc.video_id in (select id from gone_video)
        or vc.character_id in (select id from gone_character)
    ), gone_callbacks as (
      delete from ${callbackEvents} ce using gone where ce.task_id = gone.id
    )
    select gone.id as "taskId",
      (select id from gone_character) as "characterId",
      (select id from gone_video) as "videoId"
    from gone`);
  return rowsOf<DeletedTask>(result)[0];
}
