import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.ts';

function sink(isTTY: boolean) {
  let written = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        written += chunk;
        done();
      },
    }),
    { isTTY },
  );
  return { stream, written: () => written };
}

const failed = {
  state: 'FAIL' as const,
  error: { code: 'INVALID_VIDEO', message: 'The video shows a real person' },
};

describe('createProgress', () => {
  it('writes one plain line per new state when the output is not a terminal', () => {
    const out = sink(false);
    const progress = createProgress(out.stream);
    for (const state of ['WAITING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS'] as const) {
      progress.update({ state, error: null });
    }
    progress.finish();
    expect(out.written()).toBe(
      'WAITING    [1/4]\nQUEUING    [2/4]\nGENERATING [3/4]\nSUCCESS    [4/4]\n',
    );
  });

  it('writes FAIL with its code and message instead of a step', () => {
    const out = sink(false);
    const progress = createProgress(out.stream);
    progress.update({ state: 'QUEUING', error: null });
    progress.update(failed);
    expect(out.written()).toBe(
      'QUEUING    [2/4]\nFAIL       INVALID_VIDEO: The video shows a real person\n',
    );
  });

  it('writes FAIL alone for a task already failed, and for one without an error', () => {
    const out = sink(false);
    createProgress(out.stream).update(failed);
    expect(out.written()).toBe('FAIL       INVALID_VIDEO: The video shows a real person\n');
    const bare = sink(false);
    createProgress(bare.stream).update({ state: 'FAIL', error: null });
    expect(bare.written()).toBe('FAIL\n');
  });

  it('redraws one bar in place on a terminal and ends it with a newline', () => {
    const out = sink(true);
    const progress = createProgress(out.stream);
    progress.update({ state: 'WAITING', error: null });
    progress.update({ state: 'GENERATING', error: null });
    progress.finish();
    const frames = out.written().split('\r\u001b[2K').filter(Boolean);
    expect(frames[0]).toMatch(/^█{6}░{18} WAITING {4}\d+\.\d s$/);
    expect(frames.at(-1)).toMatch(/^█{18}░{6} GENERATING \d+\.\d s\n$/);
    expect(out.written().split('\n')).toHaveLength(2);
  });

  it('draws FAIL on a terminal without the bar, with why it failed', () => {
    const out = sink(true);
    const progress = createProgress(out.stream);
    progress.update({ state: 'GENERATING', error: null });
    progress.update(failed);
    progress.finish();
    const frames = out.written().split('\r\u001b[2K').filter(Boolean);
    expect(frames.at(-1)).toMatch(
      /^FAIL {7}INVALID_VIDEO: The video shows a real person \(\d+\.\d s\)\n$/,
    );
  });
});
