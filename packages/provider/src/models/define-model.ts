import { z } from 'zod';

/**
 * One model of the provider: what the gateway accepts for it, how that becomes the provider's
 * `input`, and how the provider's `resultJson` becomes a typed result.
 */
export interface ModelDefinition<Schema extends z.ZodType = z.ZodType, Result = unknown> {
  /** The provider's model id, sent as `model` in createTask. */
  id: string;
  /** A short human name, shown to API explorers. */
  title: string;
  description: string;
  /** Validates the gateway-side input; its issues name the field and the limit. */
  input: Schema;
  /** Maps a validated input to the provider's `input` object. */
  toProviderInput(input: z.output<Schema>): Record<string, unknown>;
  /** Parses the provider's `resultJson` string; throws when it holds no usable result. */
  parseResult(resultJson: string): Result;
}

/** Declares a model with its types inferred from the zod schema. */
export function defineModel<Schema extends z.ZodType, Result>(
  definition: ModelDefinition<Schema, Result>,
): ModelDefinition<Schema, Result> {
  return definition;
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
}
