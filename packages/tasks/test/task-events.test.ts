import type { TaskRow } from '@charanim/db';
import { describe, expect, it } from 'vitest';
import { inProcessTaskEvents } from '../src/events/in-process.ts';
import { TaskChannels } from '../src/events/task-channels.ts';

const row = (id: string, state: TaskRow['state']) => ({ id, state }) as TaskRow;

describe('task channels', () => {
  it('keep a change published between a subscription and its first read', async () => {
    const events = inProcessTaskEvents(() => {});
    const changes = events.subscribe('t1');
    events.publish(row('t1', 'QUEUING'));
    events.publish(row('t2', 'QUEUING'));
    events.publish(row('t1', 'GENERATING'));
    expect((await changes.next()).value?.state).toBe('QUEUING');
    expect((await changes.next()).value?.state).toBe('GENERATING');
    await changes.return?.();
  });

  it('hand each change to every follower, and forget a follower that returned', async () => {
    const channels = new TaskChannels();
    const first = channels.subscribe('t1');
    const second = channels.subscribe('t1');
    const waiting = first.next();
    channels.deliver(row('t1', 'WAITING'));
    expect((await waiting).value?.state).toBe('WAITING');
    expect((await second.next()).value?.state).toBe('WAITING');
    expect(await second.return?.()).toEqual({ value: undefined, done: true });
    expect(channels.followed()).toEqual(['t1']);
    const pending = first.next();
    await first.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(channels.isFollowed('t1')).toBe(false);
  });

  it('end, for a shutdown: each follower reads what it holds, then ends, as does a later one', async () => {
    const channels = new TaskChannels();
    const waiting = channels.subscribe('t1');
    const holding = channels.subscribe('t2');
    const pending = waiting.next();
    channels.deliver(row('t2', 'QUEUING'));
    channels.end();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect((await holding.next()).value?.state).toBe('QUEUING');
    expect((await holding.next()).done).toBe(true);
    channels.deliver(row('t2', 'GENERATING'));
    expect((await holding.next()).done).toBe(true);
    const later = channels.subscribe('t3');
    expect((await later.next()).done).toBe(true);
    expect(channels.isFollowed('t3')).toBe(false);
    await waiting.return?.();
    await holding.return?.();
    expect(channels.followed()).toEqual([]);
  });
});
