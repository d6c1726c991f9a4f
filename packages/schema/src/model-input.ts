import { inputJsonSchema, type ModelDefinition } from '@charanim/tasks';
import { builder } from './builder.ts';

/** The GraphQL type of an input field, as Pothos names it. */
type FieldType = 'String' | 'Int' | 'Float' | 'Boolean' | 'ID' | 'File' | [FieldType];

/** One field of a derived input type, merged over the models that have it. */
interface DerivedField {
  type: FieldType;
  /** Non-null only when every model requires it and no upload may stand in for it. */
  required: boolean;
  /** Each model's description of it, by model id. */
  descriptions: Map<string, string>;
}

interface JsonProperty {
  type?: string;
  enum?: unknown[];
  items?: JsonProperty;
  description?: string;
}

/** The GraphQL type of a JSON Schema property, as zod writes them for plugin inputs. */
function typeOf(property: JsonProperty, where: string): FieldType {
  switch (property.type) {
    case 'string':
      return 'String';
    case 'boolean':
      return 'Boolean';
    case 'integer':
      return 'Int';
    case 'number':
      return property.enum?.every(Number.isInteger) ? 'Int' : 'Float';
    case 'array':
      if (property.items) return [typeOf(property.items, `${where}[]`)];
  }
  throw new Error(
    `${where}: a plugin input property of JSON Schema type ${property.type} has no GraphQL type`,
  );
}

const sameType = (a: FieldType, b: FieldType): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fields of a GraphQL input type derived from the models a mutation serves: each property of
 * their zod schemas with its type, nullability and description, written once in the plugin. A
 * model's file fields become `File` fields and make the URL they replace nullable; a model's
 * `characters` are ids. Models that disagree on a field's type are a plugin bug, refused here.
 */
export function deriveFields(models: ModelDefinition[]): Map<string, DerivedField> {
  const fields = new Map<string, DerivedField>();
  const add = (
    model: ModelDefinition,
    name: string,
    type: FieldType,
    required: boolean,
    text: string,
  ) => {
    const known = fields.get(name);
    if (known && !sameType(known.type, type)) {
      throw new Error(
        `input field ${name}: ${model.id} makes it ${JSON.stringify(type)}, another model ${JSON.stringify(known.type)}`,
      );
    }
    const field = known ?? { type, required: true, descriptions: new Map<string, string>() };
    field.required &&= required;
    field.descriptions.set(model.id, text);
    fields.set(name, field);
  };
  for (const model of models) {
    const schema = inputJsonSchema(model) as {
      properties?: Record<string, JsonProperty>;
      required?: string[];
    };
    const replaced = new Set(Object.values(model.files ?? {}).map((file) => file.replaces));
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const type =
        name === 'characters' && model.characters
          ? (['ID'] as FieldType)
          : typeOf(property, `${model.id}.${name}`);
      const required = (schema.required ?? []).includes(name) && !replaced.has(name);
      add(model, name, type, required, property.description ?? '');
    }
    for (const [name, file] of Object.entries(model.files ?? {}))
      add(model, name, 'File', false, file.description);
  }
  // A field some models lack is optional for the mutation: the models that need it say so.
  for (const field of fields.values()) {
    if (field.descriptions.size < models.length) field.required = false;
  }
  return fields;
}

/** One description for a field: the models' own when they agree, else each model's in turn. */
function describe(field: DerivedField, models: ModelDefinition[]): string {
  // The models that say the same thing are named together.
  const byText = new Map<string, string[]>();
  for (const [model, text] of field.descriptions)
    byText.set(text, [...(byText.get(text) ?? []), model]);
  const only =
    field.descriptions.size < models.length
      ? ` Only for ${[...field.descriptions.keys()].join(', ')}.`
      : '';
  const [first] = byText.keys();
  if (byText.size === 1 && first !== undefined) return `${first}${only}`;
  return [...byText].map(([text, named]) => `${named.join(', ')}: ${text}`).join(' ');
}

/** The names of the `File` fields of derived fields. */
export function fileFieldsOf(models: ModelDefinition[]): Set<string> {
  return new Set(models.flatMap((model) => Object.keys(model.files ?? {})));
}

export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Up to 200 characters of your choosing. Repeating a request with the same key and input returns the same task and makes no second provider call; the same key with another input is a ValidationError.';

/** A field a mutation's input has of its own, beside those its models derive. */
export interface OwnField {
  type: FieldType;
  required?: boolean;
  description: string;
}

/**
 * A GraphQL input type whose fields are derived from the models (see deriveFields), with the
 * idempotency key every create takes and any fields of the mutation's own.
 */
export function modelInputType(
  name: string,
  description: string,
  models: ModelDefinition[],
  own: Record<string, OwnField> = {},
) {
  const derived = deriveFields(models);
  const specs: [string, OwnField][] = [
    ...[...derived].map(([field, spec]): [string, OwnField] => [
      field,
      { type: spec.type, required: spec.required, description: describe(spec, models) },
    ]),
    ['idempotencyKey', { type: 'String', description: IDEMPOTENCY_KEY_DESCRIPTION }],
    ...Object.entries(own),
  ];
  return builder.inputType(name, {
    description,
    fields: (t) =>
      Object.fromEntries(
        specs.map(([field, spec]) => [
          field,
          // The types are only known at run time: Pothos checks them as it builds the schema.
          t.field({
            type: spec.type as 'String',
            required: spec.required ?? false,
            description: spec.description,
          }),
        ]),
      ),
  });
}
