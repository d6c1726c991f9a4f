import { z } from 'zod';

/**
 * What a finished task of each result kind holds, typed. A plugin parses kie.ai's answer into
 * one of these; the gateway stores it (`tasks.result`) and hands it to the kind's store.
 */
export const resultSchemas = {
  /** A reusable character: the id later generations of its family reference. */
  character: z.object({
    characterId: z.string().min(1),
    /** The picture kie.ai shows of the character, when it gives one. */
    imageUrl: z.string().min(1).optional(),
  }),
  /** Generated videos: kie.ai's `resultUrls`, in its order. */
  video: z.object({ urls: z.array(z.string().min(1)).min(1) }),
};

export type ResultKind = keyof typeof resultSchemas;
export const resultKinds = Object.keys(resultSchemas) as ResultKind[];
export type ResultOf<Kind extends ResultKind> = z.output<(typeof resultSchemas)[Kind]>;
export type CharacterResult = ResultOf<'character'>;
export type VideoResult = ResultOf<'video'>;

/** kie.ai keeps generated files this long (its documentation; integrators saw the same). */
export const RESULT_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;

/** A JSON string as an object; anything else (an array, a number, null) as an empty one. */
export function jsonObject(resultJson: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(resultJson);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

/** `{"resultUrls": [...]}`, the result of every Market video model. */
export function parseVideoResult(resultJson: string): VideoResult {
  const { resultUrls } = jsonObject(resultJson);
  const urls = Array.isArray(resultUrls)
    ? resultUrls.filter((url): url is string => typeof url === 'string' && url.length > 0)
    : [];
  if (urls.length === 0) throw new Error('resultJson names no video URL');
  return { urls };
}
