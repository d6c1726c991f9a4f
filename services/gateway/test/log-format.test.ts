import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logDestination } from '../src/log-format.ts';
import { createLogger } from '../src/logger.ts';

/** What the logger writes to `output` in a format, for one line. */
function written(format: 'json' | 'pretty'): string {
  let text = '';
  const output = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const logger = createLogger('info', logDestination(format, output));
  logger.info({ taskId: 't-1', owner: 'acme', authorization: 'Bearer secret' }, 'task created');
  return text;
}

describe('LOG_FORMAT', () => {
  it('json writes one JSON line per event', () => {
    const line = JSON.parse(written('json'));
    expect(line).toMatchObject({ level: 30, msg: 'task created', taskId: 't-1', owner: 'acme' });
  });

  it('pretty writes a line to read, fields beneath it, secrets still redacted', () => {
    const text = written('pretty');
    expect(text).toMatch(/INFO.*task created/);
    expect(text).toContain('taskId: "t-1"');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('secret');
    expect(() => JSON.parse(text)).toThrow();
  });
});
