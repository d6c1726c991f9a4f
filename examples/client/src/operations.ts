import { graphql } from './graphql.ts';

/** What the client reads of a task: enough to follow it and to name its character. */
export const TaskFields = graphql(`
  fragment TaskFields on Task @_unmask {
    id
    state
    model
    providerTaskId
    createdAt
    completedAt
    error {
      code
      message
    }
    character {
      id
      characterId
      prompt
    }
  }
`);

/** Every member of the result union, so that a failure always brings its message. */
export const CreateCharacter = graphql(
  `
    mutation CreateCharacter($input: CreateCharacterInput!) {
      createCharacter(input: $input) {
        __typename
        ... on CreateCharacterSuccess {
          task {
            ...TaskFields
          }
        }
        ... on Error {
          message
        }
        ... on ValidationError {
          field
        }
        ... on ProviderError {
          code
          retryable
          recordedTask {
            id
            state
          }
        }
        ... on RateLimitedError {
          retryAfterSeconds
        }
      }
    }
  `,
  [TaskFields],
);

export const Task = graphql(
  `
    query Task($id: ID!) {
      task(id: $id) {
        ...TaskFields
      }
    }
  `,
  [TaskFields],
);

export const TaskUpdated = graphql(
  `
    subscription TaskUpdated($id: ID!) {
      taskUpdated(id: $id) {
        ...TaskFields
      }
    }
  `,
  [TaskFields],
);

export const SearchCharacters = graphql(`
  query SearchCharacters($search: String!, $first: Int, $after: String) {
    characters(search: $search, first: $first, after: $after) {
      edges {
        highlight
        node {
          id
          characterId
          prompt
          createdAt
          usable
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
