import { createHash } from 'node:crypto';
import { recogniseContainer, type VideoContainer } from './container.ts';
import { readDuration } from './duration.ts';
import {
  describeSize,
  MAX_VIDEO_BYTES,
  MAX_VIDEO_SECONDS,
  MIN_VIDEO_SECONDS,
  sizeRule,
} from './rules.ts';

/** A video that meets kie.ai's rules, with what the gateway records of it. */
export interface InspectedVideo {
  format: VideoContainer;
  mimeType: string;
  durationSeconds: number;
  sizeBytes: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
}

export type VideoInspection = { ok: true; video: InspectedVideo } | { ok: false; message: string };

/**
 * Checks a character video against kie.ai's rules before anything is spent on it: size, the
 * container as the bytes show it, and the duration as the container records it. Each refusal
 * says what was measured and what the rule is.
 */
export async function inspectVideo(bytes: Uint8Array): Promise<VideoInspection> {
  if (bytes.length > MAX_VIDEO_BYTES) {
    return { ok: false, message: `size ${describeSize(bytes.length)}; ${sizeRule}` };
  }
  const container = await recogniseContainer(bytes);
  if (!container.accepted) {
    return {
      ok: false,
      message: `the file is ${container.what}; must be an MP4, WebM or AVI video`,
    };
  }
  const duration = await readDuration(bytes);
  if (!duration.readable) {
    return {
      ok: false,
      message: `the ${container.container} file does not parse as a video: ${duration.reason}`,
    };
  }
  const seconds = duration.durationSeconds;
  if (seconds < MIN_VIDEO_SECONDS || seconds > MAX_VIDEO_SECONDS) {
    return {
      ok: false,
      message: `duration ${formatSeconds(seconds)} s; must be between ${MIN_VIDEO_SECONDS} and ${MAX_VIDEO_SECONDS} s`,
    };
  }
  return {
    ok: true,
    video: {
      format: container.container,
      mimeType: container.mimeType,
      durationSeconds: seconds,
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
  };
}

/** "6.0", "0.5", "4.04": enough digits that a refused duration never reads like an allowed one. */
function formatSeconds(seconds: number): string {
  const rounded = Number(seconds.toFixed(2));
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}
