import { constants, openAsBlob } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

/** A file named on the command line cannot be sent; the message names it and says why. */
export class FileArgumentError extends Error {
  override readonly name = 'FileArgumentError';
}

/**
 * The file at `path`, named on the command line by `option` (such as `--video`), as a File once it
 * is known to be a readable regular file. openAsBlob alone
 * says "Unable to open file as blob" for a missing file, and takes a directory, whose read then
 * fails inside fetch, where it looks like a network failure.
 *
 * A relative path is taken from where `npm run` was started (INIT_CWD): npm runs the script
 * from the package root, which is not where the user typed the path.
 */
export async function openFile(
  option: string,
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<File> {
  const where = resolve(env.INIT_CWD ?? process.cwd(), path);
  const named = `${option} ${path}`;
  try {
    const stats = await stat(where);
    if (stats.isDirectory()) throw new FileArgumentError(`${named} is a directory, not a file`);
    if (!stats.isFile()) throw new FileArgumentError(`${named} is not a regular file`);
    await access(where, constants.R_OK);
  } catch (error) {
    if (error instanceof FileArgumentError) throw error;
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new FileArgumentError(`${named}: the file does not exist`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new FileArgumentError(`${named}: the file cannot be read (permission denied)`);
    throw new FileArgumentError(`${named}: ${(error as Error).message}`);
  }
  return new File([await openAsBlob(where)], basename(where));
}
