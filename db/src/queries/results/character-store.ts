import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Executor } from '../../database.ts';
import { characters, type SourceImage, type SourceVideo } from '../../schema.ts';

/** The character a finished task makes, as its store writes it. */
export interface NewCharacter {
  characterId: string;
  family: string;
  prompt: string | null;
  name: string | null;
  safetyInstruction: string | null;
  imageUrl: string | null;
  sourceVideo: SourceVideo;
  sourceImages: SourceImage[];
}

/** The record as one JSON object whose keys are the columns `jsonb_to_record` reads. */
export function characterRecord(character: NewCharacter): Record<string, unknown> {
  const video = character.sourceVideo;
  return {
    character_id: character.characterId,
    family: character.family,
    prompt: character.prompt,
    name: character.name,
    safety_instruction: character.safetyInstruction,
    image_url: character.imageUrl,
    source_images: character.sourceImages,
    source_video_url: video.url,
    source_video_expires_at: video.expiresAt,
    source_video_format: video.format,
    source_video_duration_seconds: video.durationSeconds,
    source_video_size_bytes: video.sizeBytes,
    source_video_sha256: video.sha256,
  };
}

/**
 * The insert of the character, as a CTE of the statement that moves its task to SUCCESS: both
 * land or neither. `moved` is the task as moved (its owner and id); `record` the JSON parameter.
 */
export function characterWrites(db: Executor, moved: SQLWrapper, record: SQL) {
  return [
    db.$with('made_character', { id: sql<string>`id` }).as(
      sql`insert into ${characters} (owner, task_id, character_id, family, prompt, name,
          safety_instruction, image_url, source_video_url, source_video_expires_at,
          source_video_format, source_video_duration_seconds, source_video_size_bytes,
          source_video_sha256, source_images)
        select m.owner, m.id, r.character_id, r.family, r.prompt, r.name, r.safety_instruction,
          r.image_url, r.source_video_url, r.source_video_expires_at, r.source_video_format,
          r.source_video_duration_seconds, r.source_video_size_bytes, r.source_video_sha256,
          coalesce(r.source_images, '[]'::jsonb)
        from ${moved} m, jsonb_to_record(${record}) as r(character_id text, family text,
          prompt text, name text, safety_instruction text, image_url text, source_video_url text,
          source_video_expires_at timestamptz, source_video_format text,
          source_video_duration_seconds real, source_video_size_bytes integer,
          source_video_sha256 text, source_images jsonb)
        on conflict (task_id) do nothing
        returning id`,
    ),
  ];
}
