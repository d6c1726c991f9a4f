import { CREATE_CHARACTER, graphql } from './graphql.ts';

export const CREATE_ENDPOINT = /* GraphQL */ `
  mutation CreateEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      __typename
      ... on CreateWebhookEndpointSuccess { secret endpoint { id url events enabled } }
      ... on Error { message }
      ... on ValidationError { field }
    }
  }
`;

export const DELIVERIES = /* GraphQL */ `
  query Deliveries($endpoint: ID!, $filter: WebhookDeliveryFilter) {
    webhookDeliveries(endpoint: $endpoint, first: 20, filter: $filter) {
      totalCount
      edges {
        node {
          id webhookId event state status deliveredAt
          task { id }
          attempts { attemptedAt statusCode latencyMs excerpt }
        }
      }
    }
  }
`;

/** Registers an endpoint at `url` for `events`; its global id and secret. */
export async function createEndpoint(
  graphqlUrl: string,
  url: string,
  events: string[],
  key?: string,
): Promise<{ id: string; secret: string }> {
  const created = await graphql(graphqlUrl, CREATE_ENDPOINT, { input: { url, events } }, key);
  const success = created.data?.createWebhookEndpoint;
  if (success?.__typename !== 'CreateWebhookEndpointSuccess') {
    throw new Error(`createWebhookEndpoint failed: ${JSON.stringify(created)}`);
  }
  return { id: success.endpoint.id, secret: success.secret };
}

/** Starts a Sora 2 character's task; its global id. */
export async function createCharacterTask(
  graphqlUrl: string,
  name: string,
  key?: string,
): Promise<string> {
  const created = await graphql(
    graphqlUrl,
    CREATE_CHARACTER,
    { input: { videoUrl: `https://videos.example.com/${name}.mp4`, prompt: name } },
    key,
  );
  const id = created.data?.createCharacter?.task?.id;
  if (!id) throw new Error(`createCharacter failed: ${JSON.stringify(created)}`);
  return id;
}
