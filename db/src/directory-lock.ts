import { randomUUID } from 'node:crypto';
import {
  closeSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';

/**
 * An exclusive lock on a directory, held by one process at a time, for as long as it is open.
 *
 * Why not a lock kept alive by refreshing a timestamp alone (proper-lockfile and the like): PGlite
 * runs its queries synchronously on the main thread, so one long query stops every timer for as
 * long as it runs, and another process would take such a lock over from a holder that is alive.
 * The holder is judged by its process instead: a holder in this machine's PID namespace is alive
 * while its PID runs with the same start time, which tells a SIGKILLed holder at once, even when
 * the PID has been reused. Only a holder whose PID this process cannot see (another container,
 * another machine on a shared disk) is judged by the timestamp it refreshes.
 */

/** The file inside the directory; PGlite keeps no file of that name and tolerates it. */
export const LOCK_FILE_NAME = '.charanim.lock';
const HEARTBEAT_MS = 5_000;
/** How long a holder whose PID cannot be seen may be silent before its lock counts as left behind. */
export const FOREIGN_STALE_MS = 30_000;
/** A takeover is a few file operations: a marker older than this was left by a killed process. */
const TAKEOVER_STALE_MS = 10_000;

export interface LockHolder {
  pid: number;
  hostname: string;
  /** What the holder runs, e.g. `main.ts`: the script's file name only, never its arguments. */
  command: string;
  since: string;
  /** Linux: the kernel's boot id and PID namespace, which tell whether `pid` is visible here. */
  bootId?: string | undefined;
  pidNamespace?: string | undefined;
  /** Linux: the process start time in clock ticks since boot, which tells a reused PID. */
  startTime?: string | undefined;
  token: string;
}

/** Thrown when another holder has the directory; `holder` is what it wrote, when readable. */
export class DirectoryLockedError extends Error {
  override readonly name = 'DirectoryLockedError';
  constructor(
    readonly directory: string,
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    /** True when the holder is this very process (the directory is open twice in it). */
    readonly heldHere: boolean,
  ) {
    super(
      heldHere
        ? `${directory} is already open in this process`
        : `${directory} is in use by another process${holder ? ` (${describeHolder(holder)})` : ''}`,
    );
  }
}

export interface DirectoryLock {
  readonly lockPath: string;
  /** Removes the lock if it is still this process's; safe to call twice. */
  release(): void;
}

/** Lock files held by this process, by real path, so that a second open here fails too. */
const heldHere = new Set<string>();

/** Takes the lock on `directory` (which must exist), or throws DirectoryLockedError at once. */
export function lockDirectory(directory: string): DirectoryLock {
  const lockPath = join(realpathSync(directory), LOCK_FILE_NAME);
  if (heldHere.has(lockPath)) throw new DirectoryLockedError(directory, lockPath, undefined, true);
  const me = self();
  // A lock left behind takes two rounds (remove it, take the lock); a third covers a holder that
  // released it while this one looked.
  for (let round = 0; round < 3; round++) {
    if (create(lockPath, me)) return hold(lockPath, me);
    const found = read(lockPath);
    if (found === 'gone') continue;
    if (!leftBehind(found, me)) {
      throw new DirectoryLockedError(directory, lockPath, found.holder, false);
    }
    removeLeftBehind(directory, lockPath, found);
  }
  throw new DirectoryLockedError(directory, lockPath, undefined, false);
}

function hold(lockPath: string, me: LockHolder): DirectoryLock {
  heldHere.add(lockPath);
  // The timestamp serves openers in other PID namespaces, which cannot see this PID.
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockPath, now, now);
    } catch {
      // Gone or unwritable: the next opener then judges this process by its PID alone.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release);
    heldHere.delete(lockPath);
    try {
      const found = read(lockPath);
      if (found !== 'gone' && found.holder?.token === me.token) unlinkSync(lockPath);
    } catch {
      // Removed meanwhile, or unreadable: the next opener judges the lock by this process's PID.
    }
  };
  // A process that exits without closing (process.exit after a failed start) leaves no lock
  // that an opener in another PID namespace would have to wait out.
  process.on('exit', release);
  return { lockPath, release };
}

/** Creates the lock file with `me` in it; false when it exists already. */
function create(lockPath: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

interface Found {
  /** Undefined while the file is empty or unreadable: being written, or cut short by a crash. */
  holder: LockHolder | undefined;
  text: string;
  mtimeMs: number;
}

function read(lockPath: string): Found | 'gone' {
  try {
    const text = readFileSync(lockPath, 'utf8');
    const { mtimeMs } = statSync(lockPath);
    return { holder: parse(text), text, mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function parse(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    // A PID of 0 or below would name a process group to process.kill.
    if (
      Number.isInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.token === 'string'
    ) {
      return value as LockHolder;
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** True when the holder is surely gone; a holder that cannot be checked counts as alive. */
function leftBehind(found: Found, me: LockHolder): boolean {
  const { holder } = found;
  const silentMs = Date.now() - found.mtimeMs;
  if (holder === undefined || !samePidSpace(holder, me)) return silentMs > FOREIGN_STALE_MS;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the PID runs, under another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const stat = procStat(holder.pid);
  // A zombie is a holder killed and not yet reaped by its parent: it holds nothing any more.
  if (stat?.state === 'Z' || stat?.state === 'X') return true;
  return (
    holder.startTime !== undefined &&
    stat?.startTime !== undefined &&
    stat.startTime !== holder.startTime
  );
}

function samePidSpace(holder: LockHolder, me: LockHolder): boolean {
  if (me.bootId !== undefined && me.pidNamespace !== undefined) {
    return holder.bootId === me.bootId && holder.pidNamespace === me.pidNamespace;
  }
  return holder.bootId === undefined && holder.hostname === me.hostname;
}

/**
 * Removes a lock judged left behind, unless it changed meanwhile. Removers take turns through a
 * marker file, so that one of them never removes the lock another has just taken.
 */
function removeLeftBehind(directory: string, lockPath: string, judged: Found): void {
  const marker = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(marker, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(marker).mtimeMs > TAKEOVER_STALE_MS) unlinkSync(marker);
    } catch {
      // Removed by its owner meanwhile.
    }
    // Another process is taking the lock over right now; it or this one will get it, not both.
    const found = read(lockPath);
    throw new DirectoryLockedError(
      directory,
      lockPath,
      found === 'gone' ? undefined : found.holder,
      false,
    );
  }
  try {
    const now = read(lockPath);
    if (now !== 'gone' && now.text === judged.text) unlinkSync(lockPath);
  } finally {
    closeSync(fd);
    unlinkSync(marker);
  }
}

let cached: Omit<LockHolder, 'token' | 'since'> | undefined;

function self(): LockHolder {
  cached ??= {
    pid: process.pid,
    hostname: hostname(),
    command: basename(process.argv[1] ?? process.argv0),
    bootId: readOptional(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    pidNamespace: readOptional(() => readlinkSync('/proc/self/ns/pid')),
    startTime: procStat(process.pid)?.startTime,
  };
  return { ...cached, since: new Date().toISOString(), token: randomUUID() };
}

/** Fields 3 and 22 of /proc/PID/stat, counted after the command name, which may hold spaces. */
function procStat(
  pid: number,
): { state: string | undefined; startTime: string | undefined } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], startTime: fields[19] };
  } catch {
    return undefined;
  }
}

function readOptional(read: () => string | undefined): string | undefined {
  try {
    return read() || undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.hostname}, ${holder.command}, since ${holder.since}`;
}
