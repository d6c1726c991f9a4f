import { openAsBlob } from 'node:fs';
import { linkedVideo, type SourceVideo } from '@charanim/db';
import {
  containerExtensions,
  inspectVideo,
  ProviderError,
  sizeRule,
  UPLOAD_LIFETIME_MS,
} from '@charanim/provider';
import type { Context, Upload } from './context.ts';
import {
  type ProviderErrorShape,
  providerError,
  type ValidationErrorShape,
  validationError,
} from './errors.ts';

/** The folder of kie.ai's file store that character videos go to. */
const UPLOAD_PATH = 'characters';

export type VideoSource =
  | { ok: true; videoUrl: string; sourceVideo: SourceVideo }
  | { ok: false; error: ValidationErrorShape | ProviderErrorShape };

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

export function linkedSource(videoUrl: string): VideoSource {
  return { ok: true, videoUrl, sourceVideo: linkedVideo(videoUrl) };
}

/**
 * Checks an uploaded video against kie.ai's rules and, only when it passes, stores it in kie.ai's
 * file store under a name made from its SHA-256, so that different clips never share a name.
 */
export async function uploadedSource(upload: Upload, ctx: Context): Promise<VideoSource> {
  if (upload.kind === 'oversize') {
    const message = `size over 10 MB (the upload was cut off after ${upload.receivedBytes.toLocaleString('en-US')} bytes); ${sizeRule}`;
    return { ok: false, error: validationError('video', message) };
  }
  const inspection = await inspectVideo(upload.path);
  if (!inspection.ok) return { ok: false, error: validationError('video', inspection.message) };
  const { video } = inspection;
  try {
    const stored = await ctx.provider.client.uploadFile({
      data: await openAsBlob(upload.path, { type: video.mimeType }),
      fileName: `${video.sha256}.${containerExtensions[video.format]}`,
      uploadPath: UPLOAD_PATH,
      mimeType: video.mimeType,
    });
    const uploadedAt = Date.parse(stored.uploadedAt);
    const expiresAt = new Date(
      (Number.isNaN(uploadedAt) ? Date.now() : uploadedAt) + UPLOAD_LIFETIME_MS,
    );
    return {
      ok: true,
      videoUrl: stored.downloadUrl,
      sourceVideo: {
        url: stored.downloadUrl,
        format: video.format,
        durationSeconds: video.durationSeconds,
        sizeBytes: video.sizeBytes,
        sha256: video.sha256,
        expiresAt: expiresAt.toISOString(),
      },
    };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return { ok: false, error: providerError(error) };
  }
}
