import {
  advanceTask,
  characters,
  insertTask,
  recordSubmission,
  type TaskState,
} from '@charanim/db';
import { describe, expect, it } from 'vitest';
import { characterSuccess } from './support/characters.ts';
import { useTestDatabase } from './support/database.ts';

const database = useTestDatabase();

const character = {
  characterId: 'char_1',
  prompt: 'A bear',
  safetyInstruction: null,
  sourceVideo: {
    url: 'https://videos.example.com/bear.mp4',
    format: 'MP4',
    durationSeconds: 2,
    sizeBytes: 1234,
    sha256: 'ab'.repeat(32),
    expiresAt: '2030-01-01T00:00:00.000Z',
  },
};

async function newTask() {
  return insertTask(database().db, { owner: 'local', model: 'sora-2-characters', input: {} });
}

describe('the task state machine', () => {
  it('moves only forward', async () => {
    const task = await newTask();
    expect(task.state).toBe('PENDING');
    const steps: [TaskState, boolean][] = [
      ['QUEUING', true],
      ['WAITING', false],
      ['QUEUING', false],
      ['GENERATING', true],
      ['SUCCESS', true],
      ['FAIL', false],
      ['GENERATING', false],
    ];
    for (const [state, moves] of steps) {
      const moved = await advanceTask(database().db, task.id, { state });
      expect(moved !== undefined, `${state}`).toBe(moves);
    }
  });

  it('never leaves FAIL', async () => {
    const task = await newTask();
    const failed = await advanceTask(database().db, task.id, {
      state: 'FAIL',
      error: { code: 'X', message: 'x' },
    });
    expect(failed).toMatchObject({ state: 'FAIL', errorCode: 'X' });
    expect(failed?.completedAt).toBeInstanceOf(Date);
    expect(failed?.nextPollAt).toBeNull();
    expect(
      await advanceTask(database().db, task.id, {
        state: 'SUCCESS',
        result: characterSuccess(character),
      }),
    ).toBeUndefined();
  });

  it('writes the character with SUCCESS, once', async () => {
    const task = await newTask();
    await advanceTask(database().db, task.id, {
      state: 'SUCCESS',
      result: characterSuccess(character),
    });
    await advanceTask(database().db, task.id, {
      state: 'SUCCESS',
      result: characterSuccess({ ...character, characterId: 'char_2' }),
    });
    const rows = (await database().db.select().from(characters)).filter(
      (row) => row.taskId === task.id,
    );
    expect(rows.map((row) => row.characterId)).toEqual(['char_1']);
    expect(rows[0]?.owner).toBe('local');
  });

  it('records a submission only for a PENDING task, and a provider id only once', async () => {
    const first = await newTask();
    const second = await newTask();
    const accepted = await recordSubmission(database().db, first.id, 'task_p1', new Date());
    expect(accepted).toMatchObject({ state: 'WAITING', providerTaskId: 'task_p1' });
    expect(await recordSubmission(database().db, first.id, 'task_p2', new Date())).toBeUndefined();
    await expect(
      recordSubmission(database().db, second.id, 'task_p1', new Date()),
    ).rejects.toThrow();
  });
});
