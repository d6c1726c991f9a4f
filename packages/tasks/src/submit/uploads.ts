import { openAsBlob } from 'node:fs';
import type { SourceVideo } from '@charanim/db';
import {
  containerExtensions,
  type FileField,
  type InspectedVideo,
  inspectVideo,
  type KieCallOptions,
  type KieClient,
  sizeRule,
  UPLOAD_LIFETIME_MS,
} from '@charanim/provider';
import type { Upload } from '../upload.ts';
import { type Invalid, invalid } from './outcome.ts';

/** An upload that passed its checks, still on local disk. */
export interface CheckedUpload {
  /** The file field it came in. */
  field: string;
  spec: FileField;
  path: string;
  video: InspectedVideo;
}

/** Checks an uploaded file against kie.ai's rules for its media; nothing leaves the gateway here. */
export async function checkUpload(
  field: string,
  spec: FileField,
  upload: Upload,
): Promise<CheckedUpload | Invalid> {
  if (upload.kind === 'oversize') {
    const message = `size over 10 MB (the upload was cut off after ${upload.receivedBytes.toLocaleString('en-US')} bytes); ${sizeRule}`;
    return invalid(field, message);
  }
  const inspection = await inspectVideo(upload.path);
  if (!inspection.ok) return invalid(field, inspection.message);
  return { field, spec, path: upload.path, video: inspection.video };
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

/**
 * Stores a checked upload in kie.ai's file store, under a name made from its SHA-256 so that
 * different files never share a name, and answers where it lives, as measured.
 */
export async function publishUpload(
  client: Pick<KieClient, 'uploadFile'>,
  checked: CheckedUpload,
  options: KieCallOptions,
): Promise<SourceVideo> {
  const { video } = checked;
  const stored = await client.uploadFile(
    {
      data: await openAsBlob(checked.path, { type: video.mimeType }),
      fileName: `${video.sha256}.${containerExtensions[video.format]}`,
      uploadPath: checked.spec.uploadPath,
      mimeType: video.mimeType,
    },
    options,
  );
  const uploadedAt = Date.parse(stored.uploadedAt);
  const expiresAt = (Number.isNaN(uploadedAt) ? Date.now() : uploadedAt) + UPLOAD_LIFETIME_MS;
  return {
    url: stored.downloadUrl,
    format: video.format,
    durationSeconds: video.durationSeconds,
    sizeBytes: video.sizeBytes,
    sha256: video.sha256,
    expiresAt: new Date(expiresAt).toISOString(),
  };
}
