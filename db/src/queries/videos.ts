import { and, asc, desc, eq, exists, gt, lt, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import {
  type CharacterRow,
  characters,
  type VideoRow,
  videoCharacters,
  videos,
} from '../schema.ts';
import { olderThan, type Page, type Position, toPage } from './cursor.ts';

export async function findVideo(
  db: Executor,
  owner: string,
  id: string,
): Promise<VideoRow | undefined> {
  const [row] = await db
    .select()
    .from(videos)
    .where(and(eq(videos.owner, owner), eq(videos.id, id)));
  return row;
}

export async function findVideoByTask(db: Executor, taskId: string): Promise<VideoRow | undefined> {
  const [row] = await db.select().from(videos).where(eq(videos.taskId, taskId));
  return row;
}

export interface VideoFilter {
  model?: string | undefined;
  /** Only the videos that used this character (our id). */
  characterId?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

export interface VideoListOptions {
  first: number;
  after?: Position | undefined;
  filter?: VideoFilter | undefined;
}

/** The owner's videos, newest first. */
export async function listVideos(
  db: Executor,
  owner: string,
  { first, after, filter = {} }: VideoListOptions,
): Promise<Page<VideoRow>> {
  const { model, characterId, createdAfter, createdBefore } = filter;
  const rows = await db
    .select()
    .from(videos)
    .where(
      and(
        eq(videos.owner, owner),
        model === undefined ? undefined : eq(videos.model, model),
        characterId === undefined
          ? undefined
          : exists(
              db
                .select({ one: sql`1` })
                .from(videoCharacters)
                .where(
                  and(
                    eq(videoCharacters.videoId, videos.id),
                    eq(videoCharacters.characterId, characterId),
                  ),
                ),
            ),
        createdAfter ? gt(videos.createdAt, createdAfter) : undefined,
        createdBefore ? lt(videos.createdAt, createdBefore) : undefined,
        olderThan(videos, after),
      ),
    )
    .orderBy(desc(videos.createdAt), desc(videos.id))
    .limit(first + 1);
  return toPage(rows, first);
}

/** The characters a video used, in the order its task named them. */
export async function charactersOfVideo(db: Executor, videoId: string): Promise<CharacterRow[]> {
  const rows = await db
    .select({ character: characters })
    .from(videoCharacters)
    .innerJoin(characters, eq(characters.id, videoCharacters.characterId))
    .where(eq(videoCharacters.videoId, videoId))
    .orderBy(asc(videoCharacters.position));
  return rows.map((row) => row.character);
}
