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

describe('createProgress', () => {
  it('writes one plain line per new state when the output is not a terminal', () => {
    const out = sink(false);
    const progress = createProgress(out.stream);
    for (const state of ['WAITING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS'] as const) {
      progress.update(state);
    }
    progress.finish();
    expect(out.written()).toBe(
      'WAITING    [1/4]\nQUEUING    [2/4]\nGENERATING [3/4]\nSUCCESS    [4/4]\n',
    );
  });

  it('keeps the step a failure was reached at', () => {
    const out = sink(false);
    const progress = createProgress(out.stream);
    progress.update('QUEUING');
    progress.update('FAIL');
    expect(out.written()).toBe('QUEUING    [2/4]\nFAIL       [2/4]\n');
  });

  it('redraws one bar in place on a terminal and ends it with a newline', () => {
    const out = sink(true);
    const progress = createProgress(out.stream);
    progress.update('WAITING');
    progress.update('GENERATING');
    progress.finish();
    const frames = out.written().split('\r\u001b[2K').filter(Boolean);
    expect(frames[0]).toMatch(/^█{6}░{18} WAITING {4}\d+\.\d s$/);
    expect(frames.at(-1)).toMatch(/^█{18}░{6} GENERATING \d+\.\d s\n$/);
    expect(out.written().split('\n')).toHaveLength(2);
  });
});
