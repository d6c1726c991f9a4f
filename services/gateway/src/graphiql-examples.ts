/** What GraphiQL shows a first-time user: the whole story, one operation at a time. */
export const exampleOperations = /* GraphQL */ `# Welcome! Your API key goes in the Headers tab
# below (a gateway without keys takes any). Run
# these one at a time: cursor in one, then
# Ctrl+Enter (or the run button, then pick it),
# pasting each id into the next one. Without
# KIE_API_KEY the gateway plays kie.ai itself, so
# any image URL works; kie.ai fetches yours.

# 1. A character from a portrait (and a full-body
# shot), ready at once.
mutation CreateCharacter {
  createCharacter(input: {
    model: "gemini-omni-character"
    description: "A friendly red fox in a knitted scarf, cartoon style"
    name: "Foxy"
    portraitUrl: "https://example.com/fox-portrait.jpg"
    fullBodyUrl: "https://example.com/fox-full-body.jpg"
  }) {
    __typename
    ... on CreateCharacterSuccess { task { id state character { id characterId name } } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on ProviderError { code retryable }
    ... on RateLimitedError { retryAfterSeconds }
  }
}

# 2. Paste the character's id: a video of 4 to 10 s
# (up to 3 characters).
mutation CreateVideo {
  createVideo(input: {
    model: "google/gemini-omni-flash-1-1"
    prompt: "Foxy waves at the camera in a snowy forest"
    characters: ["PASTE-CHARACTER-ID"]
    durationSeconds: 6
    aspectRatio: "16:9"
    resolution: "720p"
  }) {
    __typename
    ... on CreateVideoSuccess { task { id state } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on ProviderError { code retryable recordedTask { id state } }
    ... on RateLimitedError { retryAfterSeconds }
  }
}

# 3. Paste the task's id: its states live, until
# SUCCESS (with the video's URL) or FAIL.
subscription FollowTask {
  taskUpdated(id: "PASTE-TASK-ID") {
    state
    error { code message }
    video { url expiresAt characters { name } }
    character { id characterId }
  }
}

# 4. Your videos and characters, newest first.
query MyVideos {
  videos(first: 10) { edges { node { id url expiresAt usable model characters { name } } } }
}

query MyCharacters {
  characters(first: 10) {
    edges { node { id characterId family name prompt createdAt videos(first: 3) { edges { node { url } } } } }
    pageInfo { hasNextPage endCursor }
  }
}

# Characters by the words of their description (a
# part of a word or a typo finds them too).
query FindCharacters {
  characters(search: "fox", first: 10) {
    edges { highlight node { id characterId name prompt } }
  }
}

query RecentTasks {
  tasks(first: 10) { edges { node { id state model createdAt error { code message } } } }
}

# Told when a task ends, without a subscription:
# an endpoint of your app gets each event, signed
# (Standard Webhooks). Keep the secret: it is
# shown once. Locally, a URL on your machine needs
# WEBHOOK_ALLOW_PRIVATE=true.
mutation CreateWebhookEndpoint {
  createWebhookEndpoint(input: {
    url: "https://app.example.com/hooks/charanim"
    events: [TASK_ENDED, VIDEO_READY]
  }) {
    __typename
    ... on CreateWebhookEndpointSuccess { secret endpoint { id url events } }
    ... on ValidationError { field message }
  }
}

# Paste the endpoint's id: what was sent, and what
# your app answered each time.
query WebhookDeliveries {
  webhookDeliveries(endpoint: "PASTE-ENDPOINT-ID", first: 10) {
    edges { node { id webhookId event state status attempts { attemptedAt statusCode latencyMs excerpt } } }
  }
}

# The models, whether kie.ai runs them, and what
# each takes (as JSON Schema).
query Models {
  models { id title family makes mutation availability { state message } inputSchema }
}

# Sora 2, paused at kie.ai since 2026-06-11: there
# these answer a ProviderError MODEL_PAUSED (the
# built-in emulator still plays them). A character
# from a video of 1 to 4 s, then a video of it.
mutation CreateSoraCharacter {
  createCharacter(input: {
    model: "sora-2-characters"
    videoUrl: "https://example.com/fox.mp4"
    prompt: "A friendly fox with a red scarf"
  }) {
    __typename
    ... on CreateCharacterSuccess { task { id state } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on ProviderError { code retryable recordedTask { id state } }
  }
}

mutation CreateSoraVideo {
  createVideo(input: {
    model: "sora-2-text-to-video"
    prompt: "The fox dances in the snow"
    characters: ["PASTE-SORA-CHARACTER-ID"]
    durationSeconds: 10
  }) {
    __typename
    ... on CreateVideoSuccess { task { id state } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on ProviderError { code retryable }
  }
}
`;
