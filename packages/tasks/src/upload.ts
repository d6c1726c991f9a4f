/**
 * A file from a GraphQL multipart request, as the gateway's request parser hands it over: spooled
 * to a temporary file that lives until the response is sent, or only counted because it outgrew
 * the limit (its bytes were never kept).
 */
export type Upload =
  | { kind: 'complete'; filename: string; mimeType: string; path: string }
  | { kind: 'oversize'; filename: string; mimeType: string; receivedBytes: number };
