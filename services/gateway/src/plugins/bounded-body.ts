/**
 * A request's body, or undefined once it has passed `maxBytes`: nothing after that is read, whether
 * the body declared its length or came in chunks. The rest stays unread; answer such a request with
 * `Connection: close`, so that Node closes the connection instead of reading on.
 */
export async function readBodyUpTo(
  request: Request,
  maxBytes: number,
): Promise<Buffer | undefined> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, size);
    size += value.byteLength;
    if (size > maxBytes) {
      reader.releaseLock();
      return undefined;
    }
    chunks.push(value);
  }
}
