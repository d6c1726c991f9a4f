import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';

/** A media file on disk, read by parts: an upload is never held whole in memory. */
export interface MediaFile {
  path: string;
  sizeBytes: number;
  /**
   * Up to `length` bytes from `offset`. The bytes live in a buffer the next read reuses, so that
   * reading a file makes no garbage: copy them if they must outlive it.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Hex SHA-256 of the whole content. */
  sha256(): Promise<string>;
  close(): Promise<void>;
}

const HASH_CHUNK_BYTES = 1024 * 1024;

export async function openMediaFile(path: string): Promise<MediaFile> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  let buffer = new Uint8Array(0);
  const read = async (offset: number, length: number) => {
    const wanted = Math.max(0, Math.min(length, size - offset));
    if (buffer.length < wanted) buffer = new Uint8Array(wanted);
    const { bytesRead } = await handle.read(buffer, 0, wanted, offset);
    return buffer.subarray(0, bytesRead);
  };
  return {
    path,
    sizeBytes: size,
    read,
    async sha256() {
      const hash = createHash('sha256');
      for (let offset = 0; offset < size; offset += HASH_CHUNK_BYTES) {
        hash.update(await read(offset, HASH_CHUNK_BYTES));
      }
      return hash.digest('hex');
    },
    close: () => handle.close(),
  };
}
