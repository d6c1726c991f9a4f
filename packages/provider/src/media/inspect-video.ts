import { recogniseContainer, type VideoContainer } from './container.ts';
import { readDuration } from './duration.ts';
import { openMediaFile } from './media-file.ts';
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
 * Checks a character video on disk against kie.ai's rules before anything is spent on it: size,
 * the container as the bytes show it, and the duration as the container records it. Each refusal
 * says what was measured and what the rule is. The file is read by parts, never whole.
 */
export async function inspectVideo(path: string): Promise<VideoInspection> {
  const file = await openMediaFile(path);
  try {
    if (file.sizeBytes > MAX_VIDEO_BYTES) {
      return { ok: false, message: `size ${describeSize(file.sizeBytes)}; ${sizeRule}` };
    }
    const container = await recogniseContainer(file);
    if (!container.accepted) {
      return {
        ok: false,
        message: `the file is ${container.what}; must be an MP4, WebM or AVI video`,
      };
    }
    const duration = await readDuration(file);
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
        sizeBytes: file.sizeBytes,
        sha256: await file.sha256(),
      },
    };
  } finally {
    await file.close();
  }
}

/** "6.0", "0.5", "4.04": enough digits that a refused duration never reads like an allowed one. */
function formatSeconds(seconds: number): string {
  const rounded = Number(seconds.toFixed(2));
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}
