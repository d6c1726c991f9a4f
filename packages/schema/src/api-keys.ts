import type { ApiKeyRecord, ApiKeySelector } from './api-key-admin.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import {
  ErrorInterface,
  ValidationError,
  type ValidationErrorShape,
  validationError,
} from './errors.ts';

/**
 * Key management over GraphQL, for the keys of admin owners (ADMIN_OWNERS): so that keys can be
 * made, listed and revoked while a gateway runs, on PGlite too, whose directory no other process
 * may open. `npm run keys -- … --gateway URL` uses these operations.
 */

export interface ForbiddenErrorShape {
  kind: 'ForbiddenError';
  message: string;
}

export const ForbiddenError = builder.objectRef<ForbiddenErrorShape>('ForbiddenError').implement({
  description: 'The caller may not do this; nothing was done.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => (value as { kind?: string }).kind === 'ForbiddenError',
  fields: () => ({}),
});

/** Undefined for an admin; else the error every admin operation (`what`) answers with. */
export function refusal(ctx: Context, what = 'manage API keys'): ForbiddenErrorShape | undefined {
  if (ctx.apiKeys.allowed) return undefined;
  return {
    kind: 'ForbiddenError',
    message: `only a key of an admin owner (ADMIN_OWNERS) may ${what}`,
  };
}

const ApiKey = builder.objectRef<ApiKeyRecord>('ApiKey').implement({
  description: 'An API key, never the key itself: that is shown once, when it is made.',
  fields: (t) => ({
    id: t.exposeID('id', {
      description: "The key's id, as `npm run keys -- list` shows it (not a Relay global id).",
    }),
    owner: t.exposeString('owner', { description: 'Whose tasks and characters the key reaches.' }),
    prefix: t.exposeString('prefix', { description: "The key's first 12 characters." }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

interface CreateApiKeySuccessShape {
  kind: 'CreateApiKeySuccess';
  key: string;
  apiKey: ApiKeyRecord;
}

const CreateApiKeySuccess = builder
  .objectRef<CreateApiKeySuccessShape>('CreateApiKeySuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'CreateApiKeySuccess',
    fields: (t) => ({
      key: t.exposeString('key', {
        description:
          'The key, shown this once only: it is not stored (only its SHA-256) and cannot be shown again. Clients send it as `Authorization: Bearer <key>`.',
      }),
      apiKey: t.expose('apiKey', { type: ApiKey }),
    }),
  });

interface ApiKeyListShape {
  kind: 'ApiKeyList';
  keys: ApiKeyRecord[];
}

const ApiKeyList = builder.objectRef<ApiKeyListShape>('ApiKeyList').implement({
  isTypeOf: (value) => (value as { kind?: string }).kind === 'ApiKeyList',
  fields: (t) => ({ keys: t.expose('keys', { type: [ApiKey], description: 'Oldest first.' }) }),
});

interface RevokeApiKeysSuccessShape {
  kind: 'RevokeApiKeysSuccess';
  revokedCount: number;
}

const RevokeApiKeysSuccess = builder
  .objectRef<RevokeApiKeysSuccessShape>('RevokeApiKeysSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'RevokeApiKeysSuccess',
    fields: (t) => ({
      revokedCount: t.exposeInt('revokedCount', {
        description:
          'How many active keys it revoked: 0 when none matched. Their graphql-ws connections and subscriptions end within seconds on every instance.',
      }),
    }),
  });

const RevokeApiKeysInput = builder.inputType('RevokeApiKeysInput', {
  description: 'Exactly one of the three.',
  fields: (t) => ({
    id: t.id({ description: 'The key with this id (`ApiKey.id`).' }),
    key: t.string({ description: 'This key itself.' }),
    owner: t.string({ description: 'Every active key of this owner.' }),
  }),
});

const CreateApiKeyResult = builder.unionType('CreateApiKeyResult', {
  types: [CreateApiKeySuccess, ValidationError, ForbiddenError],
});
const ApiKeysResult = builder.unionType('ApiKeysResult', {
  types: [ApiKeyList, ForbiddenError],
});
const RevokeApiKeysResult = builder.unionType('RevokeApiKeysResult', {
  types: [RevokeApiKeysSuccess, ValidationError, ForbiddenError],
});

builder.queryFields((t) => ({
  apiKeys: t.field({
    type: ApiKeysResult,
    description: 'Every API key, or every key of `owner`; for admin owners (ADMIN_OWNERS) only.',
    args: { owner: t.arg.string() },
    resolve: async (_root, { owner }, ctx) =>
      refusal(ctx) ?? {
        kind: 'ApiKeyList' as const,
        keys: await ctx.apiKeys.list(owner ?? undefined),
      },
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyResult,
    description:
      'Makes an API key for `owner` (1–64 letters, digits, `.`, `_`, `-`) and returns it, this once; for admin owners (ADMIN_OWNERS) only. A gateway that ran without keys requires them from then on.',
    args: { owner: t.arg.string({ required: true }) },
    resolve: async (_root, { owner }, ctx) => {
      const refused = refusal(ctx);
      if (refused) return refused;
      const outcome = await ctx.apiKeys.create(owner);
      if (outcome.kind === 'invalid-owner') return validationError('owner', outcome.message);
      return { kind: 'CreateApiKeySuccess' as const, key: outcome.key, apiKey: outcome.apiKey };
    },
  }),
  revokeApiKeys: t.field({
    type: RevokeApiKeysResult,
    description:
      'Revokes one key (by `id` or `key`) or every active key of an `owner`; for admin owners (ADMIN_OWNERS) only. Requests with a revoked key are refused at once, and its open connections end within seconds, on every instance.',
    args: { input: t.arg({ type: RevokeApiKeysInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const refused = refusal(ctx);
      if (refused) return refused;
      const which = selector(input);
      if ('kind' in which) return which;
      return {
        kind: 'RevokeApiKeysSuccess' as const,
        revokedCount: await ctx.apiKeys.revoke(which),
      };
    },
  }),
}));

function selector(input: {
  id?: string | number | null;
  key?: string | null;
  owner?: string | null;
}): ApiKeySelector | ValidationErrorShape {
  const given = (['id', 'key', 'owner'] as const).filter(
    (field) => input[field] !== null && input[field] !== undefined,
  );
  const [field] = given;
  if (given.length !== 1 || field === undefined) {
    return validationError(null, 'give exactly one of id, key, owner');
  }
  if (field === 'id') return { id: String(input.id) };
  if (field === 'key') return { key: input.key as string };
  return { owner: input.owner as string };
}
