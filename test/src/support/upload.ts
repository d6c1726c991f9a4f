import { readFileSync } from 'node:fs';
import { CREATE_CHARACTER, type GraphQLResponse } from './graphql.ts';

export function fixture(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url)));
}

/** A file for a multipart request: its content and the name it is sent under. */
export interface FilePart {
  content: Blob;
  filename: string;
}

/**
 * A mutation with files as parts of a GraphQL multipart request, as curl sends it: each file goes
 * to `variables.input.<field>`.
 */
export async function uploadFiles(
  url: string,
  query: string,
  input: Record<string, unknown>,
  files: Record<string, FilePart>,
  key?: string,
): Promise<{ status: number; body: GraphQLResponse }> {
  const form = new FormData();
  const fields = Object.keys(files);
  const placeholders = Object.fromEntries(fields.map((field) => [field, null]));
  form.append(
    'operations',
    JSON.stringify({ query, variables: { input: { ...input, ...placeholders } } }),
  );
  form.append(
    'map',
    JSON.stringify(Object.fromEntries(fields.map((field, i) => [i, [`variables.input.${field}`]]))),
  );
  fields.forEach((field, i) => {
    const { content, filename } = files[field] as FilePart;
    form.append(String(i), content, filename);
  });
  const response = await fetch(url, {
    method: 'POST',
    body: form,
    ...(key && { headers: { authorization: `Bearer ${key}` } }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

/** createCharacter with the video as a file part. */
export function uploadCharacter(
  url: string,
  file: Blob,
  filename: string,
  input: Record<string, unknown> = {},
): Promise<{ status: number; body: GraphQLResponse }> {
  return uploadFiles(url, CREATE_CHARACTER, input, { video: { content: file, filename } });
}
