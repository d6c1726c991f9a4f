import { openAsBlob } from 'node:fs';
import type { AttachedSource, SourceImage, SourceVideo } from '@charanim/db';
import {
  containerExtensions,
  type FileField,
  type InspectedImage,
  type InspectedVideo,
  imageExtensions,
  inspectImage,
  inspectVideo,
  type KieCallOptions,
  type KieClient,
  MAX_IMAGE_BYTES,
  MAX_VIDEO_BYTES,
  sizeLimit,
} from '@charanim/provider';
import type { Upload } from '../upload.ts';
import { type Invalid, invalid } from './outcome.ts';

/** An upload that passed its checks, still on local disk, with what was measured of it. */
export type CheckedUpload = { field: string; spec: FileField; path: string } & (
  | { media: 'video'; video: InspectedVideo }
  | { media: 'image'; image: InspectedImage }
);

const limits = { video: MAX_VIDEO_BYTES, image: MAX_IMAGE_BYTES };

/** Checks an uploaded file against kie.ai's rules for its media; nothing leaves the gateway here. */
export async function checkUpload(
  field: string,
  spec: FileField,
  upload: Upload,
): Promise<CheckedUpload | Invalid> {
  if (upload.kind === 'oversize') {
    const limit = limits[spec.media];
    const message = `size over ${limit / (1024 * 1024)} MB (the upload was cut off after ${upload.receivedBytes.toLocaleString('en-US')} bytes); ${sizeLimit(limit)}`;
    return invalid(field, message);
  }
  const base = { field, spec, path: upload.path };
  if (spec.media === 'image') {
    const inspection = await inspectImage(upload.path);
    if (!inspection.ok) return invalid(field, inspection.message);
    return { ...base, media: 'image', image: inspection.image };
  }
  const inspection = await inspectVideo(upload.path);
  if (!inspection.ok) return invalid(field, inspection.message);
  return { ...base, media: 'video', video: inspection.video };
}

/** The SHA-256 of a checked upload's content, which identifies it in a fingerprint. */
export function sha256Of(upload: CheckedUpload): string {
  return upload.media === 'video' ? upload.video.sha256 : upload.image.sha256;
}

/** A video the client linked to: only its URL is known. */
export function linkedVideo(url: string): SourceVideo {
  return {
    url,
    format: null,
    durationSeconds: null,
    sizeBytes: null,
    sha256: null,
    expiresAt: null,
  };
}

/** An image the client linked to: only its URL is known. */
export function linkedImage(url: string): SourceImage {
  return {
    url,
    format: null,
    sizeBytes: null,
    sha256: null,
    width: null,
    height: null,
    expiresAt: null,
  };
}

/**
 * Stores a checked upload in kie.ai's file store, under a name made from its SHA-256 so that
 * different files never share a name, and answers where it lives, as measured.
 */
export async function publishUpload(
  client: Pick<KieClient, 'uploadFile'>,
  checked: CheckedUpload,
  options: KieCallOptions,
  /** How long kie.ai keeps the file (KIE_UPLOAD_TTL_HOURS). */
  lifetimeMs: number,
): Promise<AttachedSource> {
  const measured = checked.media === 'video' ? checked.video : checked.image;
  const extension =
    checked.media === 'video'
      ? containerExtensions[checked.video.format]
      : imageExtensions[checked.image.format];
  const stored = await client.uploadFile(
    {
      data: await openAsBlob(checked.path, { type: measured.mimeType }),
      fileName: `${measured.sha256}.${extension}`,
      uploadPath: checked.spec.uploadPath,
      mimeType: measured.mimeType,
    },
    options,
  );
  const uploadedAt = Date.parse(stored.uploadedAt);
  const expiresAt = new Date(
    (Number.isNaN(uploadedAt) ? Date.now() : uploadedAt) + lifetimeMs,
  ).toISOString();
  const common = {
    url: stored.downloadUrl,
    format: measured.format,
    sizeBytes: measured.sizeBytes,
    sha256: measured.sha256,
    expiresAt,
  };
  if (checked.media === 'image') {
    const { width, height } = checked.image;
    return { media: 'image', source: { ...common, width, height } };
  }
  return { media: 'video', source: { ...common, durationSeconds: checked.video.durationSeconds } };
}
