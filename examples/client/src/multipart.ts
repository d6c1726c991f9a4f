/**
 * A GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec): every Blob
 * in the variables becomes a file part, and `null` in `operations` with its path in `map`.
 * Undefined when the variables hold no Blob, so that the request stays plain JSON.
 */
export function multipartBody(
  query: string,
  variables: Record<string, unknown>,
): FormData | undefined {
  const files: { path: string; blob: Blob }[] = [];
  const withoutFiles = replaceBlobs(variables, 'variables', files);
  if (files.length === 0) return undefined;
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: withoutFiles }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((file, i) => [i, [file.path]]))));
  files.forEach((file, i) => {
    form.append(String(i), file.blob, file.blob instanceof File ? file.blob.name : 'upload');
  });
  return form;
}

function replaceBlobs(
  value: unknown,
  path: string,
  files: { path: string; blob: Blob }[],
): unknown {
  if (value instanceof Blob) {
    files.push({ path, blob: value });
    return null;
  }
  if (Array.isArray(value))
    return value.map((item, i) => replaceBlobs(item, `${path}.${i}`, files));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        replaceBlobs(item, `${path}.${key}`, files),
      ]),
    );
  }
  return value;
}
