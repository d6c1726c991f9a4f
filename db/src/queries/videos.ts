import { and, asc, count, desc, eq, exists, gt, lt, type SQL, sql } from 'drizzle-orm';
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

function videoConditions(
  db: Executor,
  owner: string,
  { model, characterId, createdAfter, createdBefore }: VideoFilter,
): (SQL | undefined)[] {
  return [
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
  ];
}

/** The owner's videos, newest first. */
export async function listVideos(
  db: Executor,
  owner: string,
  { first, after, filter = {} }: VideoListOptions,
): Promise<Page<VideoRow>> {
  const rows = await db
    .select()
    .from(videos)
    .where(and(...videoConditions(db, owner, filter), olderThan(videos, after)))
    .orderBy(desc(videos.createdAt), desc(videos.id))
    .limit(first + 1);
  return toPage(rows, first);
}

/** How many videos the list holds, over all its pages. */
export async function countVideos(
  db: Executor,
  owner: string,
  filter: VideoFilter = {},
): Promise<number> {
  const [row] = await db
    .select({ total: count() })
    .from(videos)
    .where(and(...videoConditions(db, owner, filter)));
  return row?.total ?? 0;
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
