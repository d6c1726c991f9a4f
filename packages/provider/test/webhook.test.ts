import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCallback, signWebhook, verifyWebhookSignature } from '../src/webhook.ts';

// Computed with `openssl dgst -sha256 -hmac secret -binary | base64` over "task_abc.1700000000".
const VECTOR = 'NmzwCLn2r8H5fyqx1jHv4wYp87a986y5udELFbiN0qg=';
const NOW_MS = 1_700_000_000_000;

describe('signWebhook', () => {
  it('matches the fixed vector and an independent HMAC', () => {
    const independent = createHmac('sha256', 'secret')
      .update('task_abc.1700000000')
      .digest('base64');
    expect(independent).toBe(VECTOR);
    expect(signWebhook('task_abc', 1700000000, 'secret')).toBe(VECTOR);
    expect(signWebhook('task_abc', '1700000000', 'secret')).toBe(VECTOR);
  });
});

describe('verifyWebhookSignature', () => {
  const valid = { taskId: 'task_abc', timestamp: '1700000000', signature: VECTOR, key: 'secret' };
  const at = (offsetSeconds: number) => ({
    ...valid,
    timestamp: String(1700000000 + offsetSeconds),
    signature: signWebhook('task_abc', 1700000000 + offsetSeconds, 'secret'),
    nowMs: NOW_MS,
  });

  it('accepts the right signature within the window', () => {
    expect(verifyWebhookSignature({ ...valid, nowMs: NOW_MS })).toEqual({ ok: true });
    expect(verifyWebhookSignature(at(300))).toEqual({ ok: true });
    expect(verifyWebhookSignature(at(-300))).toEqual({ ok: true });
  });

  it('rejects timestamps more than 300 s away, either way', () => {
    expect(verifyWebhookSignature(at(301))).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyWebhookSignature(at(-301))).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyWebhookSignature({ ...at(-301), toleranceSeconds: 400 })).toEqual({ ok: true });
  });

  it('defaults to the current time', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signWebhook('task_abc', timestamp, 'secret');
    const args = { ...valid, timestamp: String(timestamp), signature };
    expect(verifyWebhookSignature(args)).toEqual({ ok: true });
    expect(verifyWebhookSignature({ ...valid })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects a wrong key, a tampered id and a tampered timestamp', () => {
    const args = { ...valid, nowMs: NOW_MS };
    const bad = { ok: false, reason: 'bad_signature' };
    expect(verifyWebhookSignature({ ...args, key: 'other' })).toEqual(bad);
    expect(verifyWebhookSignature({ ...args, taskId: 'task_abd' })).toEqual(bad);
    expect(verifyWebhookSignature({ ...args, timestamp: '1700000001' })).toEqual(bad);
  });

  it('rejects missing headers', () => {
    const args = { ...valid, nowMs: NOW_MS };
    const missing = { ok: false, reason: 'missing_signature' };
    expect(verifyWebhookSignature({ ...args, signature: undefined })).toEqual(missing);
    expect(verifyWebhookSignature({ ...args, timestamp: undefined })).toEqual(missing);
    expect(verifyWebhookSignature({ ...args, signature: '' })).toEqual(missing);
  });

  it('rejects a timestamp that is not Unix seconds', () => {
    for (const timestamp of ['soon', '1700000000.5', '-1700000000', '2023-11-14T22:13:20Z']) {
      expect(verifyWebhookSignature({ ...valid, timestamp, nowMs: NOW_MS })).toEqual({
        ok: false,
        reason: 'bad_timestamp',
      });
    }
  });

  it('rejects garbage of any length without throwing', () => {
    for (const signature of ['x', 'garbage', `${VECTOR}=`, VECTOR.toLowerCase(), '€'.repeat(44)]) {
      expect(verifyWebhookSignature({ ...valid, signature, nowMs: NOW_MS })).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });
});

describe('parseCallback', () => {
  const data = {
    model: 'sora-2-characters',
    state: 'success',
    param: '{"model":"sora-2-characters"}',
    resultJson: '{"character_id":"char_1"}',
    failCode: '',
    failMsg: '',
    consumeCredits: 10,
    remainedCredits: 990,
    costTime: 8,
    createTime: 1755599634000,
    completeTime: 1755599644000,
    updateTime: 1755599644000,
  };

  it('reads the task id from data.taskId or data.task_id', () => {
    for (const key of ['taskId', 'task_id']) {
      const body = {
        code: 200,
        msg: 'Playground task completed successfully.',
        data: { [key]: 'task_1', ...data },
      };
      expect(parseCallback(body)).toEqual({
        taskId: 'task_1',
        code: 200,
        msg: 'Playground task completed successfully.',
        record: {
          taskId: 'task_1',
          model: 'sora-2-characters',
          state: 'success',
          param: '{"model":"sora-2-characters"}',
          resultJson: '{"character_id":"char_1"}',
          failCode: null,
          failMsg: null,
          createTime: 1755599634000,
          updateTime: 1755599644000,
          completeTime: 1755599644000,
          creditsConsumed: 10,
        },
      });
    }
  });

  it('reads a failure with `message` instead of `msg`', () => {
    const body = {
      code: 501,
      message: 'Generation failed',
      data: {
        ...data,
        taskId: 'task_2',
        state: 'FAIL',
        resultJson: '',
        failCode: 'X',
        failMsg: 'y',
      },
    };
    expect(parseCallback(body)).toMatchObject({
      taskId: 'task_2',
      code: 501,
      msg: 'Generation failed',
      record: { state: 'fail', resultJson: null, failCode: 'X', failMsg: 'y' },
    });
  });

  it('returns undefined for what is not a callback', () => {
    const noId = { code: 200, msg: 'ok', data };
    const noCode = { msg: 'ok', data: { ...data, taskId: 't' } };
    const badState = { code: 200, data: { ...data, taskId: 't', state: 'exploded' } };
    for (const body of [undefined, null, 'text', [], {}, noId, noCode, badState]) {
      expect(parseCallback(body)).toBeUndefined();
    }
  });
});
