import { readFileSync } from 'node:fs';
import type { UploadedFile } from '../types.ts';

/** Where the emulator serves uploaded files, under its own URL. */
export const FILES_PREFIX = '/files/';

/** Where the videos the emulator's tasks "made" are: the same short clip for each, so that every URL plays. */
const RESULTS_FOLDER = 'results/';
let resultClip: StoredFile | undefined;

function emulatedResult(): StoredFile {
  resultClip ??= {
    bytes: readFileSync(new URL('../../assets/emulated-result.mp4', import.meta.url)),
    mimeType: 'video/mp4',
  };
  return resultClip;
}

/** How long a link from the download-url endpoint works, as kie.ai documents it. */
const TEMPORARY_LINK_MS = 20 * 60_000;

interface StoredFile {
  bytes: Uint8Array;
  mimeType: string;
}

/** The File Upload API's storage, in memory; the same path overwrites an earlier file. */
export class FileStore {
  readonly #files = new Map<string, StoredFile>();
  readonly #baseUrl: string;
  /** Where the files are served: the emulator's URL and FILES_PREFIX, without a final slash. */
  readonly url: string;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl;
    this.url = `${baseUrl}${FILES_PREFIX.replace(/\/$/, '')}`;
  }

  /**
   * kie.ai's download-url endpoint: a link to one of its files valid 20 minutes (`data` as a bare
   * string, one of the forms kie.ai answers); 422 for a URL it does not host.
   */
  temporaryLink(body: unknown): { code: number; message?: string; data?: string } {
    const url = (body as { url?: unknown } | undefined)?.url;
    if (typeof url !== 'string' || url === '') return { code: 422, message: 'url is required' };
    if (!url.startsWith(`${this.url}/`)) {
      return { code: 422, message: 'url is not a file kie.ai hosts' };
    }
    const expires = Date.now() + TEMPORARY_LINK_MS;
    return { code: 200, message: 'success', data: `${url}?expires=${expires}` };
  }

  /** Stores the `file` of a stream-upload form; a string is the reason kie.ai would refuse it. */
  async upload(form: FormData): Promise<UploadedFile | string> {
    const file = form.get('file');
    const uploadPath = form.get('uploadPath');
    if (!(file instanceof File)) return 'file is required';
    if (typeof uploadPath !== 'string' || uploadPath === '') return 'uploadPath is required';
    const fileName = form.get('fileName') || file.name;
    if (typeof fileName !== 'string' || fileName === '') return 'fileName is required';
    const segments = [...uploadPath.split('/').filter(Boolean), fileName];
    // The path becomes a URL: `.` and `..` would resolve elsewhere, `/` would split the name.
    if (segments.some((segment) => segment === '.' || segment === '..') || fileName.includes('/')) {
      return 'uploadPath and fileName must not step out of their folder';
    }
    const filePath = segments.join('/');
    const bytes = new Uint8Array(await file.arrayBuffer());
    const mimeType = file.type || 'application/octet-stream';
    this.#files.set(filePath, { bytes, mimeType });
    return {
      fileName,
      filePath,
      downloadUrl: `${this.#baseUrl}${FILES_PREFIX}${segments.map(encodeURIComponent).join('/')}`,
      fileSize: bytes.byteLength,
      mimeType,
      uploadedAt: new Date().toISOString(),
    };
  }

  /** The file at a request path under {@link FILES_PREFIX}, as sent by a client (URL-encoded). */
  get(pathname: string): StoredFile | undefined {
    const encoded = pathname.slice(FILES_PREFIX.length).split('/');
    let path: string;
    try {
      path = encoded.map(decodeURIComponent).join('/');
    } catch {
      return undefined; // a malformed escape names no file
    }
    const stored = this.#files.get(path);
    if (stored || !path.startsWith(RESULTS_FOLDER) || !path.endsWith('.mp4')) return stored;
    return emulatedResult();
  }
}
