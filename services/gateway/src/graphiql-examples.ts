/** What GraphiQL shows a first-time user: the whole flow, one operation at a time. */
export const exampleOperations = /* GraphQL */ `# Welcome! Put your API key in the Headers tab below (a gateway without keys takes any),
# then run these one at a time with the ▶ button.
# 1. Create a character from a short video (1–4 s, MP4/WebM/AVI, at most 10 MB).
mutation CreateCharacter {
  createCharacter(input: {
    videoUrl: "https://example.com/fox.mp4"
    prompt: "A friendly fox with a red scarf"
  }) {
    __typename
    ... on CreateCharacterSuccess { task { id state } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on ProviderError { code retryable recordedTask { id state } }
    ... on RateLimitedError { retryAfterSeconds }
  }
}

# 2. Paste the task id here and follow it live until SUCCESS or FAIL.
subscription FollowTask {
  taskUpdated(id: "PASTE-TASK-ID") {
    state
    error { code message }
    character { id characterId }
  }
}

# 3. Find your characters by the words of their prompt (a partial word or a typo finds them too).
query FindCharacters {
  characters(search: "fox", first: 10, filter: { usable: true }) {
    edges { highlight node { id characterId prompt usable expiresAt createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}

query RecentTasks {
  tasks(first: 10) { edges { node { id state model createdAt error { code message } } } }
}

# The models this gateway serves, and the JSON Schema of what each one takes.
query Models {
  models { id title description inputSchema }
}
`;
