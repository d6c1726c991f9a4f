import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { refusedFixtures } from '../../../test/fixtures/refusals.ts';
import { inspectVideo, MAX_VIDEO_BYTES } from '../src/media/index.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'inspect-video-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A file of the given bytes in a scratch folder. */
function fileOf(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

describe('inspectVideo', () => {
  it.each([
    ['clip-1s.mp4', 'MP4', 1],
    ['clip-2s.mp4', 'MP4', 2],
    ['clip-4s.mp4', 'MP4', 4],
    ['clip-1s.webm', 'WebM', 1],
    ['clip-2s.webm', 'WebM', 2],
    ['clip-4s.webm', 'WebM', 4],
    ['clip-1s.avi', 'AVI', 1],
    ['clip-2s.avi', 'AVI', 2],
    ['clip-4s.avi', 'AVI', 4],
  ])('accepts %s as %s of %i s', async (name, format, seconds) => {
    const path = fixture(name);
    const result = await inspectVideo(path);
    expect(result).toEqual({
      ok: true,
      video: {
        format,
        mimeType: expect.stringMatching(/^video\//),
        durationSeconds: seconds,
        sizeBytes: statSync(path).size,
        sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
      },
    });
  });

  it.each(refusedFixtures)('refuses %s: %s', async (name, message) => {
    expect(await inspectVideo(fixture(name))).toEqual({ ok: false, message });
  });

  it('refuses bytes of no known format, and an empty file', async () => {
    const noise = new Uint8Array(2048).map((_, i) => (i * 7919) % 251);
    expect(await inspectVideo(fileOf('noise.bin', noise))).toEqual({
      ok: false,
      message: 'the file is an unknown format; must be an MP4, WebM or AVI video',
    });
    expect(await inspectVideo(fileOf('empty.mp4', new Uint8Array()))).toEqual({
      ok: false,
      message: 'the file is an empty file; must be an MP4, WebM or AVI video',
    });
  });

  it('refuses one byte over 10 MB before looking at the content', async () => {
    expect(await inspectVideo(fileOf('big.mp4', new Uint8Array(MAX_VIDEO_BYTES + 1)))).toEqual({
      ok: false,
      message: 'size 10.0 MB (10,485,761 bytes); must be at most 10 MB (10,485,760 bytes)',
    });
  });

  it('tells text with a character cut at the sample edge from binary', async () => {
    const text = `${'a'.repeat(4099)}é and more text`;
    expect(await inspectVideo(fileOf('notes.mp4', new TextEncoder().encode(text)))).toMatchObject({
      message: 'the file is a text file; must be an MP4, WebM or AVI video',
    });
  });

  it('reads several videos at once without mixing them up', async () => {
    const names = ['clip-1s.mp4', 'clip-4s.webm', 'clip-2s.avi', 'too-long-6s.mp4'];
    const results = await Promise.all(names.map((name) => inspectVideo(fixture(name))));
    expect(results.map((r) => (r.ok ? r.video.durationSeconds : r.message))).toEqual([
      1,
      4,
      2,
      'duration 6.0 s; must be between 1 and 4 s',
    ]);
  });
});
