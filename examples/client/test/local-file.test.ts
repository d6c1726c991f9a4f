import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileArgumentError, openFile } from '../src/cli/local-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-video-'));
writeFileSync(join(dir, 'clip.mp4'), 'not really a video, but a file');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openFile', () => {
  it('opens a file as a File named after it', async () => {
    const file = await openFile('--video', join(dir, 'clip.mp4'), {});
    expect(file).toBeInstanceOf(File);
    expect(file.name).toBe('clip.mp4');
    expect(await file.text()).toBe('not really a video, but a file');
  });

  it('takes a relative path from where npm run was started', async () => {
    const file = await openFile('--portrait', 'clip.mp4', { INIT_CWD: dir });
    expect(file.size).toBe(30);
  });

  it.each([
    ['a missing file', 'gone.mp4', '--video gone.mp4: the file does not exist'],
    ['a path through a file', 'clip.mp4/x.mp4', '--video clip.mp4/x.mp4: the file does not exist'],
    ['a directory', '.', '--video . is a directory, not a file'],
  ])('refuses %s, naming it', async (_name, path, message) => {
    const opened = openFile('--video', path, { INIT_CWD: dir });
    await expect(opened).rejects.toBeInstanceOf(FileArgumentError);
    await expect(opened).rejects.toThrow(message);
  });

  it('names the option it was given by', async () => {
    await expect(openFile('--portrait', 'fox.jpg', { INIT_CWD: dir })).rejects.toThrow(
      '--portrait fox.jpg: the file does not exist',
    );
  });
});
