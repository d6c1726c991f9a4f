import { describe, expect, it } from 'vitest';
import { ProviderError } from '../src/errors.ts';
import { parseTaskRecord } from '../src/task-record.ts';

const documented = {
  taskId: 'task_1',
  model: 'sora-2-characters',
  state: 'success',
  param: '{"model":"sora-2-characters"}',
  resultJson: '{"character_id":"example_123456789"}',
  failCode: '',
  failMsg: '',
  completeTime: 1698765432000,
  createTime: 1698765400000,
  updateTime: 1698765432000,
};

describe('parseTaskRecord', () => {
  it('reads the documented record, empty strings becoming null', () => {
    expect(parseTaskRecord(documented)).toEqual({
      ...documented,
      failCode: null,
      failMsg: null,
    });
  });

  it('accepts task_id, upper-case states, string times and missing optional fields', () => {
    const { taskId, ...rest } = documented;
    const record = parseTaskRecord({
      ...rest,
      task_id: taskId,
      state: 'GENERATING',
      resultJson: null,
      createTime: '1698765400000',
      updateTime: '2023-10-31T15:17:12.000Z',
      completeTime: '',
      param: undefined,
      failCode: undefined,
    });
    expect(record).toEqual({
      taskId: 'task_1',
      model: 'sora-2-characters',
      state: 'generating',
      param: null,
      resultJson: null,
      failCode: null,
      failMsg: null,
      createTime: 1698765400000,
      updateTime: 1698765432000,
      completeTime: null,
    });
  });

  it("reads what the task cost, as recordInfo's creditsConsumed or the callback's consumeCredits", () => {
    expect(parseTaskRecord({ ...documented, creditsConsumed: 84 }).creditsConsumed).toBe(84);
    expect(parseTaskRecord({ ...documented, consumeCredits: '10' }).creditsConsumed).toBe(10);
    expect(parseTaskRecord({ ...documented, consumeCredits: 8.2 }).creditsConsumed).toBe(9);
    expect(parseTaskRecord({ ...documented, consumeCredits: 0 }).creditsConsumed).toBe(0);
    // Unreadable or absent: unknown, and the record is read all the same.
    expect(
      parseTaskRecord({ ...documented, consumeCredits: 'lots' }).creditsConsumed,
    ).toBeUndefined();
    expect(parseTaskRecord({ ...documented, creditsConsumed: -1 }).creditsConsumed).toBeUndefined();
    expect(parseTaskRecord(documented).creditsConsumed).toBeUndefined();
  });

  it('prefers taskId when both keys are present', () => {
    expect(parseTaskRecord({ ...documented, task_id: 'other' }).taskId).toBe('task_1');
  });

  it.each([
    ['no id', { ...documented, taskId: undefined }],
    ['an empty id', { ...documented, taskId: '' }],
    ['an unknown state', { ...documented, state: 'exploded' }],
    ['a time that is not one', { ...documented, createTime: 'yesterday' }],
    ['a number for resultJson', { ...documented, resultJson: 5 }],
    ['not an object', 'task_1'],
  ])('throws a ProviderError UNKNOWN for %s', (_, data) => {
    const error = catchError(() => parseTaskRecord(data));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'UNKNOWN', retryable: false });
    expect((error as Error).message).toMatch(/^kie\.ai sent a malformed task record/);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
