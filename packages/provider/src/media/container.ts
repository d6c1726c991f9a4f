import { fileTypeFromBuffer } from 'file-type';
import type { MediaFile } from './media-file.ts';

/** What file-type needs to tell every container apart, and plenty to judge text by. */
const SNIFF_BYTES = 4100;

/** The containers kie.ai takes, by the name we record as the source video's format. */
export type VideoContainer = 'MP4' | 'MOV' | 'WebM' | 'Matroska' | 'AVI';

const videoContainers: Record<string, VideoContainer> = {
  'video/mp4': 'MP4',
  'video/x-m4v': 'MP4',
  'video/quicktime': 'MOV',
  'video/webm': 'WebM',
  'video/matroska': 'Matroska',
  'video/x-matroska': 'Matroska',
  'video/vnd.avi': 'AVI',
  'video/x-msvideo': 'AVI',
};

/** The file extension kie.ai's file store should see for each container. */
export const containerExtensions: Record<VideoContainer, string> = {
  MP4: 'mp4',
  MOV: 'mov',
  WebM: 'webm',
  Matroska: 'mkv',
  AVI: 'avi',
};

export type ContainerVerdict =
  | { accepted: true; container: VideoContainer; mimeType: string }
  | { accepted: false; what: string };

/**
 * Recognises the container from the bytes, never from the name or the client's MIME type: ISO
 * BMFF (MP4, MOV), WebM/Matroska and RIFF AVI pass; anything else is named as well as it can be.
 */
export async function recogniseContainer(file: MediaFile): Promise<ContainerVerdict> {
  const bytes = await file.read(0, SNIFF_BYTES);
  const type = await fileTypeFromBuffer(bytes);
  if (type) {
    const container = videoContainers[type.mime];
    if (container) return { accepted: true, container, mimeType: type.mime };
    return { accepted: false, what: describeType(type.mime, type.ext) };
  }
  if (bytes.length === 0) return { accepted: false, what: 'an empty file' };
  return { accepted: false, what: looksLikeText(bytes) ? 'a text file' : 'an unknown format' };
}

function describeType(mime: string, ext: string): string {
  const name = ext.toUpperCase();
  if (mime.startsWith('image/')) return `an image (${name})`;
  if (mime.startsWith('audio/')) return `audio (${name})`;
  if (mime.startsWith('video/')) return `a video container kie.ai does not take (${name})`;
  return `a ${name} file`;
}

/** Valid UTF-8 without control characters other than whitespace. */
export function looksLikeText(head: Uint8Array): boolean {
  let text: string;
  try {
    // A sample may end inside a character: `stream` leaves that half for a next call.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
}
