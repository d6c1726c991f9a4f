/** kie.ai's rules for a character video. */
export const MAX_VIDEO_BYTES = 10 * 1024 * 1024;
export const MIN_VIDEO_SECONDS = 1;
export const MAX_VIDEO_SECONDS = 4;

const bytesFormat = new Intl.NumberFormat('en-US');

/** "12.0 MB (12,582,912 bytes)": a size as a person reads it, with the exact count. */
export function describeSize(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB (${bytesFormat.format(bytes)} bytes)`;
}

/** "must be at most 10 MB (10,485,760 bytes)": a size limit as a refusal states it. */
export function sizeLimit(maxBytes: number): string {
  return `must be at most ${maxBytes / (1024 * 1024)} MB (${bytesFormat.format(maxBytes)} bytes)`;
}

export const sizeRule = sizeLimit(MAX_VIDEO_BYTES);

/** kie.ai's rules for an image a character or a video is made from. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
