/** kie.ai's rules for a character video. */
export const MAX_VIDEO_BYTES = 10 * 1024 * 1024;
export const MIN_VIDEO_SECONDS = 1;
export const MAX_VIDEO_SECONDS = 4;
/** kie.ai deletes uploaded files after three days. */
export const UPLOAD_LIFETIME_MS = 3 * 24 * 60 * 60 * 1000;

const bytesFormat = new Intl.NumberFormat('en-US');

/** "12.0 MB (12,582,912 bytes)": a size as a person reads it, with the exact count. */
export function describeSize(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB (${bytesFormat.format(bytes)} bytes)`;
}

export const sizeRule = `must be at most 10 MB (${bytesFormat.format(MAX_VIDEO_BYTES)} bytes)`;
