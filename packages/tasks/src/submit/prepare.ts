import { createHash } from 'node:crypto';
import {
  findOwnCharacters,
  findTaskByProviderId,
  isRowId,
  type SourceImage,
  type SourceVideo,
} from '@charanim/db';
import { type ModelDefinition, type References, unreadableText } from '@charanim/provider';
import { z } from 'zod';
import type { TaskCoreDeps } from '../deps.ts';
import type { Upload } from '../upload.ts';
import { type Invalid, invalid } from './outcome.ts';
import { type CheckedUpload, checkUpload, linkedImage, linkedVideo, sha256Of } from './uploads.ts';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** A request to run a model for an owner, as a mutation hands it over. */
export interface SubmitRequest {
  owner: string;
  /** The model's id. */
  model: string;
  /** The model's input fields as the client gave them; absent ones undefined. */
  input: Record<string, unknown>;
  /** Uploaded files, by the name of the plugin's file field. */
  files?: Record<string, Upload | undefined>;
  idempotencyKey?: string | undefined;
  /** The mutation, for messages. */
  operation: string;
}

/** A request that passed every check made before anything is written or sent. */
export interface PreparedSubmission {
  plugin: ModelDefinition;
  /** The validated input as the task stores it: uploads are added once stored. */
  input: Record<string, unknown>;
  uploads: CheckedUpload[];
  references: References;
  /** The video the result will be made from, when known before anything is sent. */
  sourceVideo: SourceVideo | undefined;
  /** The images it will be made from that are known now (the linked ones), by input field. */
  sourceImages: Record<string, SourceImage>;
  /** SHA-256 of everything the client asked for; a repeat with the idempotency key must match. */
  fingerprint: string;
}

/**
 * Checks a request as far as it can be without writing or sending anything: the model, the file
 * or URL of each file field, the idempotency key, the plugin's rules, each upload's bytes, the
 * characters it references and the rules across them. The first rule broken is the answer.
 */
export async function prepareSubmission(
  deps: TaskCoreDeps,
  request: SubmitRequest,
): Promise<PreparedSubmission | Invalid> {
  const plugin = deps.models.get(request.model);
  if (!plugin) {
    const known = deps.models.list().map((model) => model.id);
    return invalid('model', `model is "${request.model}"; must be one of ${known.join(', ')}`);
  }
  const stray = strayField(plugin, request);
  if (stray) return stray;
  const files = Object.entries(plugin.files ?? {});
  const given = (field: string) => request.files?.[field] ?? undefined;
  for (const [field, spec] of files) {
    const problem = chooseOne(
      plugin,
      field,
      spec.replaces,
      given(field),
      request.input[spec.replaces],
    );
    if (problem) return problem;
  }
  const badKey = checkIdempotencyKey(request.idempotencyKey);
  if (badKey) return badKey;

  const uploaded = files.filter(([field]) => given(field) !== undefined);
  const schema =
    uploaded.length === 0
      ? plugin.input
      : objectOf(plugin).omit(
          Object.fromEntries(uploaded.map(([, spec]) => [spec.replaces, true])) as OmitMask,
        );
  const parsed = schema.safeParse(request.input);
  if (!parsed.success) return firstIssue(parsed.error);
  const input = parsed.data as Record<string, unknown>;

  const uploads: CheckedUpload[] = [];
  for (const [field, spec] of uploaded) {
    const checked = await checkUpload(field, spec, given(field) as Upload);
    if ('kind' in checked) return checked;
    uploads.push(checked);
  }

  const foreign = await checkOriginTask(deps, plugin, request.owner, input);
  if (foreign) return foreign;
  const references = await resolveReferences(deps, plugin, request.owner, input);
  if ('kind' in references) return references;
  const crossed = plugin.check?.(input, references);
  if (crossed) return invalid(crossed.field, crossed.message);

  return {
    plugin,
    input,
    uploads,
    references,
    sourceVideo: sourceOf(plugin, input),
    sourceImages: linkedImagesOf(plugin, input),
    fingerprint: fingerprintOf(plugin, input, uploads),
  };
}

/**
 * A field the model does not take, given all the same: refused rather than dropped, since a
 * client who sends it expects it to count (one mutation's input holds every model's fields).
 */
function strayField(plugin: ModelDefinition, request: SubmitRequest): Invalid | undefined {
  const taken = new Set([
    ...Object.keys(objectOf(plugin).shape),
    ...Object.keys(plugin.files ?? {}),
  ]);
  const given = [...Object.entries(request.input), ...Object.entries(request.files ?? {})];
  const [field] = given.find(([name, value]) => value !== undefined && !taken.has(name)) ?? [];
  if (field === undefined) return undefined;
  return invalid(
    field,
    `${field} is not an input of ${plugin.id} (models { inputSchema } lists what it takes)`,
  );
}

/** Exactly one of a file field and the URL it replaces, or the reason there is not. */
function chooseOne(
  plugin: ModelDefinition,
  field: string,
  urlField: string,
  file: Upload | undefined,
  url: unknown,
): Invalid | undefined {
  const media = plugin.files?.[field]?.media ?? 'file';
  if (file !== undefined && url !== undefined) {
    return invalid(field, `give one ${media}: ${field} or ${urlField}, not both`);
  }
  if (file !== undefined || url !== undefined || !isRequired(plugin, urlField)) return undefined;
  const an = media === 'image' ? 'an' : 'a';
  return invalid(
    field,
    `${an} ${media} is required: send a file as ${field} or give its ${urlField}`,
  );
}

function isRequired(plugin: ModelDefinition, field: string): boolean {
  return !objectOf(plugin).shape[field]?.safeParse(undefined).success;
}

type OmitMask = Parameters<z.ZodObject['omit']>[0];

/** A plugin with file fields keeps its input a plain object, so that its URL fields can be omitted. */
function objectOf(plugin: ModelDefinition): z.ZodObject {
  if (!(plugin.input instanceof z.ZodObject)) {
    throw new Error(`model ${plugin.id} declares files but its input is not a plain object`);
  }
  return plugin.input;
}

/** An idempotency key of 1 to 200 readable characters, or none; else why not. */
export function checkIdempotencyKey(key: string | undefined): Invalid | undefined {
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return invalid(
      'idempotencyKey',
      `idempotencyKey is ${key.length} characters; must be between 1 and ${MAX_IDEMPOTENCY_KEY_LENGTH}`,
    );
  }
  // The key is stored and compared in a text column, which cannot hold these.
  const unreadable = unreadableText('idempotencyKey', key);
  return unreadable === undefined ? undefined : invalid('idempotencyKey', unreadable);
}

/** The first issue of a failed parse, on its field. */
export function firstIssue(error: z.ZodError): Invalid {
  const [issue] = error.issues;
  return invalid(issue?.path.join('.') || null, issue?.message ?? 'invalid input');
}

/**
 * The earlier kie.ai task a model makes its result from must be one of the caller's own: another
 * owner's task is refused exactly like an id no task has, and one made outside this gateway only
 * where the operator allows it.
 */
async function checkOriginTask(
  deps: TaskCoreDeps,
  plugin: ModelDefinition,
  owner: string,
  input: Record<string, unknown>,
): Promise<Invalid | undefined> {
  const field = plugin.originTask?.field;
  const id = field === undefined ? undefined : input[field];
  if (field === undefined || typeof id !== 'string') return undefined;
  const task = await findTaskByProviderId(deps.db, id);
  if (task?.owner === owner || (task === undefined && deps.allowForeignOriginTasks))
    return undefined;
  return invalid(
    field,
    `${field} names no task of yours: give the providerTaskId of one of your video tasks`,
  );
}

/**
 * The characters the input's `characters` names: each must be one of this owner's, of the
 * model's family. The same answer for an id of another owner and an id of nobody: which ids exist
 * is nobody else's business.
 */
async function resolveReferences(
  deps: TaskCoreDeps,
  plugin: ModelDefinition,
  owner: string,
  input: Record<string, unknown>,
): Promise<References | Invalid> {
  const ids = (input.characters as string[] | undefined) ?? [];
  if (!plugin.characters || ids.length === 0) return { characters: [] };
  const { family } = plugin.characters;
  const rows = ids.every(isRowId) ? await findOwnCharacters(deps.db, owner, ids) : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const characters = [];
  for (const [index, id] of ids.entries()) {
    const row = byId.get(id.toLowerCase());
    if (!row) {
      return invalid('characters', `characters[${index}] is not one of your characters`);
    }
    if (row.family !== family) {
      return invalid(
        'characters',
        `characters[${index}] is a ${row.family} character; ${plugin.id} takes ${family} characters only`,
      );
    }
    characters.push({
      id: row.id,
      characterId: row.characterId,
      family: row.family,
      imageCount: row.sourceImages.length,
    });
  }
  return { characters };
}

/** What the result will be made from, when it is known now: a segment, or a linked video. */
function sourceOf(
  plugin: ModelDefinition,
  input: Record<string, unknown>,
): SourceVideo | undefined {
  const described = plugin.describeCharacter?.(input).source;
  if (described) return described;
  for (const spec of Object.values(plugin.files ?? {})) {
    const url = input[spec.replaces];
    if (spec.media === 'video' && typeof url === 'string') return linkedVideo(url);
  }
  return undefined;
}

/** The images the client linked to, by the input field that names each. */
function linkedImagesOf(
  plugin: ModelDefinition,
  input: Record<string, unknown>,
): Record<string, SourceImage> {
  const linked: Record<string, SourceImage> = {};
  for (const spec of Object.values(plugin.files ?? {})) {
    const url = input[spec.replaces];
    if (spec.media === 'image' && typeof url === 'string') linked[spec.replaces] = linkedImage(url);
  }
  return linked;
}

/**
 * SHA-256 of the model and each input field in the order the plugin declares them, an uploaded
 * file by its content and a linked one by its URL: what a repeat with the same idempotency key
 * must ask for again. The same material as before the plugin core, so keys made then still match.
 */
function fingerprintOf(
  plugin: ModelDefinition,
  input: Record<string, unknown>,
  uploads: CheckedUpload[],
): string {
  const replaced = new Map(
    Object.values(plugin.files ?? {}).map((spec) => [spec.replaces, spec] as const),
  );
  const material = Object.keys(objectOf(plugin).shape).map((field) => {
    if (!replaced.has(field)) return input[field] ?? null;
    const upload = uploads.find((checked) => checked.spec.replaces === field);
    if (upload) return `sha256:${sha256Of(upload)}`;
    return input[field] === undefined ? null : `url:${String(input[field])}`;
  });
  return createHash('sha256')
    .update(JSON.stringify([plugin.id, ...material]))
    .digest('hex');
}
