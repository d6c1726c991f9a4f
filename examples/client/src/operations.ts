import { graphql } from './graphql.ts';

/** What the client reads of a task: enough to follow it and to name what it made. */
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
      name
      prompt
    }
    video {
      id
      url
      expiresAt
    }
  }
`);

/**
 * Every failure a create mutation answers, each with its message: the members of its result
 * union beside the success.
 */
export const CreateFailure = graphql(`
  fragment CreateFailure on Error @_unmask {
    __typename
    message
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
`);

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
        ...CreateFailure
      }
    }
  `,
  [TaskFields, CreateFailure],
);

export const CreateVideo = graphql(
  `
    mutation CreateVideo($input: CreateVideoInput!) {
      createVideo(input: $input) {
        __typename
        ... on CreateVideoSuccess {
          task {
            ...TaskFields
          }
        }
        ...CreateFailure
      }
    }
  `,
  [TaskFields, CreateFailure],
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

/** Your tasks, newest first, a page at a time; `state` keeps only the tasks in it. */
export const Tasks = graphql(
  `
    query Tasks($state: TaskState, $first: Int, $after: String) {
      tasks(state: $state, first: $first, after: $after) {
        edges {
          node {
            ...TaskFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `,
  [TaskFields],
);

/** Your characters, newest first; with `search`, those with every word, best match first. */
export const Characters = graphql(`
  query Characters($search: String, $first: Int, $after: String) {
    characters(search: $search, first: $first, after: $after) {
      edges {
        highlight
        node {
          id
          characterId
          family
          name
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

/** Your videos, newest first; `filter` keeps those of one character or one model. */
export const Videos = graphql(`
  query Videos($filter: VideoFilter, $first: Int, $after: String) {
    videos(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          id
          model
          url
          expiresAt
          usable
          createdAt
          characters {
            name
            characterId
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
