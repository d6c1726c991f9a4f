import { z } from 'zod';
import type { ResultKind, ResultOf } from './results.ts';

/** A file a client may upload in place of a URL field; the gateway checks and stores it first. */
export interface FileField {
  /** The input field (an http(s) URL) the file replaces; exactly one of the two is given. */
  replaces: string;
  /** What the file must be, as its bytes show: the gateway checks it before anything is sent. */
  media: 'video' | 'image';
  /** The folder of kie.ai's file store it goes to. */
  uploadPath: string;
  /** What to send, for API explorers: the rules the file must meet. */
  description: string;
}

/** A character of this gateway that an input references, as the gateway recorded it. */
export interface ReferencedCharacter {
  /** Our id for it. */
  id: string;
  /** kie.ai's id for it, which the provider's request names. */
  characterId: string;
  /** The family of the model that made it: a model takes its own family's characters only. */
  family: string;
  /** How many images it was made from (0 for one made from a video): some quotas count them. */
  imageCount: number;
}

/** What the gateway resolved of an input before sending it: the characters it references. */
export interface References {
  characters: ReferencedCharacter[];
}

/** A file a character was made from, as the gateway measured it; what is unknown is null. */
export interface SourceMedia {
  url: string;
  format: string | null;
  durationSeconds: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  /** ISO time after which the URL stops working. */
  expiresAt: string | null;
}

/** How a character model's input describes the character, as the library keeps and searches it. */
export interface CharacterDescription {
  /** The words search finds it by: its prompt or description. */
  prompt: string | null;
  /** The name the character goes by, when the model takes one. */
  name?: string | null;
  safetyInstruction: string | null;
  /** What it was made from, when no file field of the input gives it. */
  source?: SourceMedia;
}

/** A rule the input broke, on its field, with a message that names the value and the limit. */
export interface InputIssue {
  field: string;
  message: string;
}

/** What the emulator tells a plugin when it fakes a result. */
export interface FakeResultOptions {
  /** Where the emulator serves files: a fake result's URLs should work. */
  filesUrl: string;
  /** Picks one of the result's documented forms, where kie.ai documented several. */
  variant?: string | undefined;
}

/** Whether a createTask model takes kie.ai's completion callback: most may; some need or refuse it. */
export type CallbackUse = 'optional' | 'required' | 'refused';

interface ModelCommon<Schema extends z.ZodType, Kind extends ResultKind> {
  /** The provider's model id, sent as `model` in createTask. */
  id: string;
  /** A short human name, shown to API explorers. */
  title: string;
  description: string;
  /** The family whose characters its videos reference and its characters belong to. */
  family: string;
  /**
   * Set while kie.ai is known to have paused the model: what to tell clients. The gateway keeps
   * serving it (clients use it; kie.ai may resume it) but says so plainly.
   */
  pausedUpstream?: string;
  /**
   * Validates the gateway-side input; its issues name the field and the limit. A model with
   * `files` keeps it a plain object: the check before an upload omits the URL fields it replaces.
   */
  input: Schema;
  /** Uploads the model takes instead of URL fields, by the name of the file field. */
  files?: Readonly<Record<string, FileField>>;
  /**
   * The input field that names an earlier kie.ai task by kie.ai's id (`originTaskId`): it must be
   * one of the caller's own tasks, so that no tenant makes anything from another's.
   */
  originTask?: { field: string };
  /** The input's `characters`: ids of this owner's characters of `family`, at most `max`. */
  characters?: { family: string; max: number };
  /** Rules across the input and what it references (such as a quota), checked before any call. */
  check?(input: z.output<Schema>, references: References): InputIssue | undefined;
  /** The kind of result it makes: each kind has one store and one GraphQL type. */
  result: Kind;
  /**
   * What a request costs in kie.ai credits, by kie.ai's prices: reserved against the owner's
   * budget before anything is sent, then settled from what kie.ai reports when the task ends.
   */
  estimateCredits(input: z.output<Schema>): number;
  /** For a model that makes characters: how its input describes the character. */
  describeCharacter?(input: z.output<Schema>): CharacterDescription;
  /**
   * What to tell a client whose task kie.ai failed this way, beside kie.ai's own message, when the
   * model knows what helps (make the character again, …); undefined when it knows nothing to add.
   */
  adviseOnFailure?(
    failure: { code: string; message: string },
    input: z.output<Schema>,
  ): string | undefined;
}

/** What the emulator knows beyond one request: the characters it made, for the rules of kie.ai. */
export interface EmulatorWorld {
  /** How many images a character the emulator made came from; undefined for one it did not make. */
  imageCountOf(characterId: string): number | undefined;
}

/** A model kie.ai runs as a task: createTask, then callbacks and polls until it ends. */
export interface TaskModel<
  Schema extends z.ZodType = z.ZodType,
  Kind extends ResultKind = ResultKind,
> extends ModelCommon<Schema, Kind> {
  mode: 'task';
  callback: CallbackUse;
  /**
   * kie.ai answers a createTask with an empty `input` without making (or billing) anything: a
   * refusal as paused, or as missing fields when the model runs. Only such models are probed at
   * start (KIE_PROBE_MODELS).
   */
  emptyRequestIsFree?: boolean;
  /** How long after it was sent a task may run before the gateway ends it FAIL with TIMEOUT. */
  pollBoundMs: number;
  /** Maps a validated input to the provider's `input` object. */
  toProviderInput(input: z.output<Schema>, references: References): Record<string, unknown>;
  /** Parses the provider's `resultJson` string; throws when it holds no usable result. */
  parseResult(resultJson: string): ResultOf<Kind>;
  /** What the emulator needs to play the model. */
  emulator: {
    /** kie.ai's rules for the `input` of createTask: what it refuses, the emulator refuses. */
    request: z.ZodType;
    /** kie.ai's rules beyond one input's shape (a quota over the characters it names). */
    check?(input: Record<string, unknown>, world: EmulatorWorld): string | undefined;
    /** A result as kie.ai would send it (`resultJson`, parsed). */
    fakeResult(options: FakeResultOptions): Record<string, unknown>;
  };
}

/** A model kie.ai answers in the same request: no task id, nothing to poll, no callback. */
export interface ImmediateModel<
  Schema extends z.ZodType = z.ZodType,
  Kind extends ResultKind = ResultKind,
> extends ModelCommon<Schema, Kind> {
  mode: 'immediate';
  /** The Market API path it is posted to, such as `/api/v1/omni/character/create`. */
  path: string;
  /** Names the call in metrics and logs, such as `omniCharacter`. */
  operation: string;
  /** Maps a validated input to the JSON body of the request. */
  toProviderBody(input: z.output<Schema>, references: References): Record<string, unknown>;
  /** Reads the `data` of kie.ai's answer; throws when it holds no usable result. */
  parseAnswer(data: unknown): ResultOf<Kind>;
  emulator: {
    /** kie.ai's rules for the body. */
    request: z.ZodType;
    /**
     * The `data` kie.ai answers for an accepted body, and the character it made, which the emulator
     * then knows (for the rules of later requests that name it).
     */
    answer(
      body: Record<string, unknown>,
      options: FakeResultOptions,
    ): { data: unknown; character?: { id: string; imageCount: number } };
  };
}

/** One model of the provider: everything model-specific, declared once. */
export type ModelDefinition = TaskModel | ImmediateModel;

/** Declares a createTask model with its types inferred from the zod schema. */
export function defineTaskModel<Schema extends z.ZodType, Kind extends ResultKind>(
  definition: Omit<TaskModel<Schema, Kind>, 'mode'>,
): TaskModel<Schema, Kind> {
  return { ...definition, mode: 'task' };
}

/** Declares a model that answers in the same request, with its types inferred. */
export function defineImmediateModel<Schema extends z.ZodType, Kind extends ResultKind>(
  definition: Omit<ImmediateModel<Schema, Kind>, 'mode'>,
): ImmediateModel<Schema, Kind> {
  return { ...definition, mode: 'immediate' };
}

/**
 * The JSON Schema of what the model accepts, as a client sends it. Rules zod cannot express in
 * JSON Schema (refinements such as the URL check or a segment's length) are left out, not
 * refused: the schema names the properties, their types and the limits zod knows.
 */
export function inputJsonSchema(model: ModelDefinition): Record<string, unknown> {
  return z.toJSONSchema(model.input, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** The models the gateway serves, by id. */
export class ModelRegistry {
  readonly #models = new Map<string, ModelDefinition>();

  register(model: ModelDefinition): this {
    if (this.#models.has(model.id)) throw new Error(`model ${model.id} is registered twice`);
    this.#models.set(model.id, model);
    return this;
  }

  get(id: string): ModelDefinition | undefined {
    return this.#models.get(id);
  }

  list(): ModelDefinition[] {
    return [...this.#models.values()];
  }

  /** The models that make this kind of result, in the order they were registered. */
  making(kind: ResultKind): ModelDefinition[] {
    return this.list().filter((model) => model.result === kind);
  }
}
