import { fileTypeFromBuffer } from 'file-type';
import { imageSizeFromFile } from 'image-size/fromFile';
import { looksLikeText } from './container.ts';
import { openMediaFile } from './media-file.ts';
import { describeSize, MAX_IMAGE_BYTES, sizeLimit } from './rules.ts';

/** The formats kie.ai takes for an image, by the name we record. */
export type ImageFormat = 'JPEG' | 'PNG' | 'WebP';

const imageFormats: Record<string, ImageFormat> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
};

/** The file extension kie.ai's file store should see for each format. */
export const imageExtensions: Record<ImageFormat, string> = {
  JPEG: 'jpg',
  PNG: 'png',
  WebP: 'webp',
};

/** An image that meets kie.ai's rules, with what the gateway records of it. */
export interface InspectedImage {
  format: ImageFormat;
  mimeType: string;
  width: number;
  height: number;
  sizeBytes: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
}

export type ImageInspection = { ok: true; image: InspectedImage } | { ok: false; message: string };

/** A file that is no image kie.ai takes, named as well as its bytes allow. */
function whatIs(head: Uint8Array, type: { mime: string; ext: string } | undefined): string {
  if (head.length === 0) return 'an empty file';
  if (!type) return looksLikeText(head) ? 'a text file' : 'an unknown format';
  const name = type.ext.toUpperCase();
  if (type.mime.startsWith('image/')) return `a ${name} image`;
  if (type.mime.startsWith('video/')) return `a video (${name})`;
  return `a ${name} file`;
}

/** What file-type needs to tell the formats apart. */
const SNIFF_BYTES = 4100;

/**
 * Checks an image on disk against kie.ai's rules before anything is spent on it: its size, its
 * format as the bytes show it (never the name or the client's MIME type), and that its width and
 * height can be read. Each refusal says what was measured and what the rule is.
 */
export async function inspectImage(path: string): Promise<ImageInspection> {
  const file = await openMediaFile(path);
  try {
    if (file.sizeBytes > MAX_IMAGE_BYTES) {
      return {
        ok: false,
        message: `size ${describeSize(file.sizeBytes)}; ${sizeLimit(MAX_IMAGE_BYTES)}`,
      };
    }
    const head = await file.read(0, SNIFF_BYTES);
    const type = head.length === 0 ? undefined : await fileTypeFromBuffer(head);
    const format = type && imageFormats[type.mime];
    if (!type || !format) {
      return {
        ok: false,
        message: `the file is ${whatIs(head, type)}; must be a JPEG, PNG or WebP image`,
      };
    }
    let size: { width?: number; height?: number };
    try {
      size = await imageSizeFromFile(path);
    } catch {
      size = {};
    }
    const { width, height } = size;
    if (!width || !height) {
      return {
        ok: false,
        message: `the ${format} file does not parse as an image: its width and height cannot be read`,
      };
    }
    return {
      ok: true,
      image: {
        format,
        mimeType: type.mime,
        width,
        height,
        sizeBytes: file.sizeBytes,
        sha256: await file.sha256(),
      },
    };
  } finally {
    await file.close();
  }
}
