import { readFileSync } from 'node:fs';
import { CREATE_CHARACTER, type GraphQLResponse } from './graphql.ts';

export function fixture(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));
}

/** createCharacter with the video as a file part: a GraphQL multipart request, as curl sends it. */
export async function uploadCharacter(
  url: string,
  file: Blob,
  filename: string,
  input: Record<string, unknown> = {},
): Promise<{ status: number; body: GraphQLResponse }> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: CREATE_CHARACTER, variables: { input: { ...input, video: null } } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.video'] }));
  form.append('0', file, filename);
  const response = await fetch(url, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}
