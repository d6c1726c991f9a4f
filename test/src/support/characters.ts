import {
  characters,
  type Database,
  type NewCharacter,
  type StoredResult,
  tasks,
} from '@charanim/db';

export interface FinishedCharacter {
  owner: string;
  prompt: string;
  createdAt: Date;
  characterId: string;
  sourceVideoUrl: string;
  sourceVideoExpiresAt?: Date | null;
  /** Default sora-2. */
  family?: string;
}

/**
 * A character as a finished task leaves it, written straight to the database: search tests need
 * libraries of chosen prompts and dates that no run through kie.ai would give them.
 */
export async function insertFinishedCharacter(
  db: Database,
  { owner, createdAt, family = 'sora-2', ...character }: FinishedCharacter,
): Promise<void> {
  const [task] = await db
    .insert(tasks)
    .values({ owner, model: 'sora-2-characters', state: 'SUCCESS', input: {}, createdAt })
    .returning({ id: tasks.id });
  if (!task) throw new Error('insert into tasks returned no row');
  await db.insert(characters).values({ ...character, family, owner, taskId: task.id, createdAt });
}

/** A Sora 2 character as a SUCCESS writes it (advanceTask's `result`), for state machine tests. */
export function characterSuccess(
  character: Omit<NewCharacter, 'family' | 'name' | 'imageUrl' | 'sourceImages'>,
): StoredResult {
  return {
    kind: 'character',
    value: { characterId: character.characterId },
    record: { name: null, imageUrl: null, sourceImages: [], ...character, family: 'sora-2' },
  };
}
