import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from './logger.ts';

const PREFIX = 'charanim-uploads-';
/** A spool folder's name records the id of the process that made it. */
const SPOOL_NAME = new RegExp(`^${PREFIX}(\\d+)-`);

/** Whether a process with this id runs on this machine; another user's counts too (EPERM). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A new folder for this process's uploads in the OS temp folder, named `charanim-uploads-<pid>-…`.
 * A killed gateway never removes its own, so the folders of processes that are surely gone are
 * removed first; one of a process that runs (another gateway on this machine, or this process)
 * and one that names no process are left alone.
 */
export async function createUploadSpool(logger: Logger): Promise<string> {
  const parent = tmpdir();
  const stale = (await readdir(parent)).filter((name) => {
    const pid = Number(SPOOL_NAME.exec(name)?.[1] ?? Number.NaN);
    return pid > 0 && pid !== process.pid && !isRunning(pid);
  });
  await Promise.all(stale.map((name) => rm(join(parent, name), { recursive: true, force: true })));
  if (stale.length > 0) {
    logger.info({ folders: stale }, 'removed the upload folders of gateways that are gone');
  }
  return mkdtemp(join(parent, `${PREFIX}${process.pid}-`));
}
