import { openAsBlob } from 'node:fs';
import { linkedVideo, type SourceVideo } from '@charanim/db';
import {
  containerExtensions,
  type InspectedVideo,
  inspectVideo,
  type KieCallOptions,
  segmentSeconds,
  sizeRule,
  timestampsOf,
  UPLOAD_LIFETIME_MS,
} from '@charanim/provider';
import type { Context, Upload } from './context.ts';
import { type ValidationErrorShape, validationError } from './errors.ts';

/** The folder of kie.ai's file store that character videos go to. */
const UPLOAD_PATH = 'characters';

/** Exactly one of `video` and `videoUrl`, or the reason there is not. */
export function chooseSource(args: {
  video?: Upload | null;
  videoUrl?: string | null;
}): ValidationErrorShape | undefined {
  const given = [args.video, args.videoUrl].filter(
    (value) => value !== null && value !== undefined,
  );
  if (given.length === 1) return undefined;
  return validationError(
    'video',
    given.length === 0
      ? 'a video is required: send a file as video or give its videoUrl'
      : 'give one video: video or videoUrl, not both',
  );
}

/** A video that passed the checks: a link as given, or an upload still on local disk. */
export type CheckedVideo =
  | { kind: 'link'; url: string }
  | { kind: 'upload'; path: string; video: InspectedVideo };

/** Checks an uploaded video against kie.ai's rules; nothing leaves the gateway here. */
export async function checkUpload(upload: Upload): Promise<CheckedVideo | ValidationErrorShape> {
  if (upload.kind === 'oversize') {
    const message = `size over 10 MB (the upload was cut off after ${upload.receivedBytes.toLocaleString('en-US')} bytes); ${sizeRule}`;
    return validationError('video', message);
  }
  const inspection = await inspectVideo(upload.path);
  if (!inspection.ok) return validationError('video', inspection.message);
  return { kind: 'upload', path: upload.path, video: inspection.video };
}

/** What identifies the video in an idempotency fingerprint: its URL, or its content. */
export function videoIdentity(video: CheckedVideo): string {
  return video.kind === 'link' ? `url:${video.url}` : `sha256:${video.video.sha256}`;
}

/**
 * Where the provider can fetch the video: a link as it is; an upload once it is stored in kie.ai's
 * file store, under a name made from its SHA-256 so that different clips never share a name.
 */
export async function publishVideo(
  checked: CheckedVideo,
  ctx: Context,
  options: KieCallOptions,
): Promise<SourceVideo> {
  if (checked.kind === 'link') return linkedVideo(checked.url);
  const { video } = checked;
  const stored = await ctx.provider.client.uploadFile(
    {
      data: await openAsBlob(checked.path, { type: video.mimeType }),
      fileName: `${video.sha256}.${containerExtensions[video.format]}`,
      uploadPath: UPLOAD_PATH,
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

/**
 * The source of a character made from a segment of an earlier kie.ai task: no URL of ours, so one
 * naming the task and the segment (a media fragment), such as `kie-task:task_1#t=1.5,3.5`. Only
 * the length is known.
 */
export function segmentVideo(
  originTaskId: string,
  startSeconds: number,
  endSeconds: number,
): SourceVideo {
  return {
    url: `kie-task:${encodeURIComponent(originTaskId)}#t=${timestampsOf(startSeconds, endSeconds)}`,
    format: null,
    durationSeconds: segmentSeconds(startSeconds, endSeconds),
    sizeBytes: null,
    sha256: null,
    expiresAt: null,
  };
}
