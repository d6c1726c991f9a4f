import type { CreditLimits, CreditUsage } from '@charanim/db';
import type { ApiKeyRecord, ApiKeySelector } from '@charanim/schema';

/** What `npm run keys` does to keys and budgets, in the database or through a running gateway. */
export interface KeyStore {
  create(owner: string): Promise<{ id: string; owner: string; prefix: string; key: string }>;
  revoke(which: ApiKeySelector): Promise<number>;
  list(owner: string | undefined): Promise<ApiKeyRecord[]>;
  usage(owner: string): Promise<CreditUsage>;
  /** Sets both limits; answers the owner's usage with its new budget. */
  setBudget(owner: string, limits: CreditLimits): Promise<CreditUsage>;
}

/** The gateway refused or could not be asked; `exitCode` is what `npm run keys` exits with. */
export class GatewayKeyError extends Error {
  override readonly name = 'GatewayKeyError';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

const API_KEY_FIELDS = 'id owner prefix createdAt revokedAt';
const USAGE_FIELDS =
  'spentToday spentThisMonth reserved creditsPerDay: budgetPerDay creditsPerMonth: budgetPerMonth';
const ERRORS = '... on Error { __typename message }';

/**
 * The keys of a running gateway, through its admin operations (`createApiKey`, `apiKeys`,
 * `revokeApiKeys`), sent with the key of an admin owner: for a PGlite directory that the gateway
 * holds, which no other process may open, or for a database this machine cannot reach.
 */
export function gatewayKeyStore(gatewayUrl: string, adminKey: string): KeyStore {
  // The gateway's URL or its GraphQL URL (the gateway's own module is not loaded for its path: the
  // CLI would load the whole server with it).
  const url = gatewayUrl.replace(/\/+$/, '').replace(/(\/graphql)?$/, '/graphql');
  const ask = async (query: string, variables: Record<string, unknown>) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${adminKey}`,
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new GatewayKeyError(
        69, // EX_UNAVAILABLE
        `cannot reach the gateway at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
    if (response.status === 401) {
      throw new GatewayKeyError(
        77, // EX_NOPERM
        `the gateway at ${url} refused the admin key (401): it is unknown or revoked`,
      );
    }
    const body = (await response.json().catch(() => undefined)) as
      | { data?: Record<string, { __typename: string; message?: string } & Record<string, any>> }
      | { errors?: { message: string }[] }
      | undefined;
    const result = body && 'data' in body && body.data ? Object.values(body.data)[0] : undefined;
    if (!result) {
      const message = body && 'errors' in body ? body.errors?.[0]?.message : undefined;
      throw new GatewayKeyError(
        1,
        `the gateway at ${url} answered ${response.status}${message ? `: ${message}` : ' without a result'}`,
      );
    }
    if (result.__typename === 'ForbiddenError') {
      throw new GatewayKeyError(77, `the gateway refused: ${result.message}`);
    }
    if (result.__typename === 'ValidationError') {
      throw new GatewayKeyError(1, result.message ?? 'the gateway refused the input');
    }
    return result;
  };
  const usageOf = (usage: Record<string, number | null>): CreditUsage => ({
    spentToday: usage.spentToday ?? 0,
    spentThisMonth: usage.spentThisMonth ?? 0,
    reserved: usage.reserved ?? 0,
    creditsPerDay: usage.creditsPerDay ?? null,
    creditsPerMonth: usage.creditsPerMonth ?? null,
  });
  const record = (key: Record<string, string | null>): ApiKeyRecord => ({
    id: key.id as string,
    owner: key.owner as string,
    prefix: key.prefix as string,
    createdAt: new Date(key.createdAt as string),
    revokedAt: key.revokedAt ? new Date(key.revokedAt) : null,
  });
  return {
    async create(owner) {
      const result = await ask(
        `mutation($owner: String!) { createApiKey(owner: $owner) { __typename ${ERRORS} ... on CreateApiKeySuccess { key apiKey { ${API_KEY_FIELDS} } } } }`,
        { owner },
      );
      return { ...record(result.apiKey), key: result.key };
    },
    async revoke(which) {
      const result = await ask(
        `mutation($input: RevokeApiKeysInput!) { revokeApiKeys(input: $input) { __typename ${ERRORS} ... on RevokeApiKeysSuccess { revokedCount } } }`,
        { input: which },
      );
      return result.revokedCount;
    },
    async list(owner) {
      const result = await ask(
        `query($owner: String) { apiKeys(owner: $owner) { __typename ${ERRORS} ... on ApiKeyList { keys { ${API_KEY_FIELDS} } } } }`,
        { owner },
      );
      return result.keys.map(record);
    },
    async usage(owner) {
      const result = await ask(
        `query($owner: String!) { creditUsage(owner: $owner) { __typename ${ERRORS} ... on Usage { ${USAGE_FIELDS} } } }`,
        { owner },
      );
      return usageOf(result);
    },
    async setBudget(owner, limits) {
      const result = await ask(
        `mutation($input: SetCreditBudgetInput!) { setCreditBudget(input: $input) { __typename ${ERRORS} ... on Usage { ${USAGE_FIELDS} } } }`,
        {
          input: {
            owner,
            creditsPerDay: limits.creditsPerDay,
            creditsPerMonth: limits.creditsPerMonth,
          },
        },
      );
      return usageOf(result);
    },
  };
}
