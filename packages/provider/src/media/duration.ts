import mediaInfoFactory, { type MediaInfo } from 'mediainfo.js';
import type { MediaFile } from './media-file.ts';

export type DurationReading =
  | { readable: true; durationSeconds: number }
  | { readable: false; reason: string };

let instance: Promise<MediaInfo<'object'>> | undefined;

/** One MediaInfo (a WebAssembly module) for the process, loaded on first use. */
function mediaInfo(): Promise<MediaInfo<'object'>> {
  instance ??= mediaInfoFactory({ format: 'object' });
  return instance;
}

/** Analyses run one at a time: a MediaInfo instance holds the state of one parse. */
let queue: Promise<unknown> = Promise.resolve();

/** Reads the duration of the video track from the container, with MediaInfo. */
export function readDuration(file: MediaFile): Promise<DurationReading> {
  const reading = queue.then(() => analyse(file));
  queue = reading.catch(() => undefined);
  return reading;
}

async function analyse(file: MediaFile): Promise<DurationReading> {
  const info = await mediaInfo();
  info.reset();
  const result = await info.analyzeData(file.sizeBytes, (size, offset) => file.read(offset, size));
  const tracks = result.media?.track ?? [];
  const general = tracks.find((track) => track['@type'] === 'General');
  const video = tracks.find((track) => track['@type'] === 'Video');
  if (!video) return { readable: false, reason: 'it holds no video track' };
  if (general?.extra?.IsTruncated === 'Yes') {
    return { readable: false, reason: 'it is truncated (the file ends before its video does)' };
  }
  const seconds = Number(video.Duration ?? general?.Duration);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    return { readable: false, reason: 'its duration cannot be read' };
  }
  return { readable: true, durationSeconds: seconds };
}
