import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScript } from '@charanim/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseOpenError, openDatabase } from '../src/database.ts';
import { FOREIGN_STALE_MS, LOCK_FILE_NAME } from '../src/directory-lock.ts';

const holderScript = fileURLToPath(new URL('./fixtures/hold-database.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'pglite-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// One initdb for the file (about 3 s of CPU in PGlite); each test takes a copy of its directory.
const template = join(root, 'template');
beforeAll(async () => {
  await opensAndReads(template);
});
let count = 0;
function freshDirectory(): string {
  const directory = join(root, `data-${++count}`);
  cpSync(template, directory, { recursive: true });
  return directory;
}

/** Another process with the directory open, once it says so. */
async function holder(directory: string): Promise<ChildProcess> {
  const holding = startScript(holderScript, { args: [directory] });
  await holding.printed(/^open$/m);
  return holding.child;
}

async function openFailure(directory: string): Promise<Error> {
  const started = Date.now();
  const failure = await openDatabase({ url: directory }).then(
    async (handle) => {
      await handle.close();
      throw new Error(`${directory} opened although it is locked`);
    },
    (error: Error) => error,
  );
  // At once: a locked directory is refused, not waited for.
  expect(Date.now() - started).toBeLessThan(2_000);
  return failure;
}

async function opensAndReads(directory: string): Promise<void> {
  const handle = await openDatabase({ url: directory });
  try {
    await handle.ping();
  } finally {
    await handle.close();
  }
}

/** What a lock written by a process of this machine's PID namespace says about where it runs. */
function linuxProcessSpace(): { bootId?: string; pidNamespace?: string } {
  try {
    return {
      bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      pidNamespace: readlinkSync('/proc/self/ns/pid'),
    };
  } catch {
    return {};
  }
}

describe('a PGlite data directory', () => {
  it('is refused to a second opener while another process has it open, with a message naming both', async () => {
    const directory = freshDirectory();
    const child = await holder(directory);
    try {
      const failure = await openFailure(directory);
      expect(failure).toBeInstanceOf(DatabaseOpenError);
      expect(failure.message).toContain(`the PGlite data directory ${directory} is in use`);
      expect(failure.message).toContain(`another process has it open (pid ${child.pid} on `);
      expect(failure.message).toContain('most likely a running gateway');
      expect(failure.message).toContain('one process at a time');
      expect(failure.message).not.toContain('\n');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    expect(existsSync(join(directory, LOCK_FILE_NAME))).toBe(false);
    await opensAndReads(directory);
  });

  it('opens at once after its holder was SIGKILLed', async () => {
    const directory = freshDirectory();
    const child = await holder(directory);
    child.kill('SIGKILL');
    await once(child, 'exit');
    // The holder had no chance to remove its lock.
    expect(existsSync(join(directory, LOCK_FILE_NAME))).toBe(true);
    const started = Date.now();
    await opensAndReads(directory);
    expect(Date.now() - started).toBeLessThan(FOREIGN_STALE_MS);
  });

  it('is refused to a second open in the same process, and opens again once closed', async () => {
    const directory = freshDirectory();
    const first = await openDatabase({ url: directory });
    try {
      const failure = await openFailure(directory);
      expect(failure).toBeInstanceOf(DatabaseOpenError);
      expect(failure.message).toContain('this process has it open already');
    } finally {
      await first.close();
    }
    await opensAndReads(directory);
  });

  it('waits out a holder it cannot see (another container or machine) until it falls silent', async () => {
    const directory = freshDirectory();
    const lockPath = join(directory, LOCK_FILE_NAME);
    writeFileSync(
      lockPath,
      JSON.stringify({
        pid: 1,
        hostname: 'elsewhere',
        command: 'main.ts',
        since: new Date().toISOString(),
        bootId: 'another-kernel',
        pidNamespace: 'pid:[1]',
        token: 'theirs',
      }),
    );
    const failure = await openFailure(directory);
    expect(failure.message).toContain('another process has it open (pid 1 on elsewhere, main.ts');

    const silentSince = new Date(Date.now() - FOREIGN_STALE_MS - 1_000);
    utimesSync(lockPath, silentSince, silentSince);
    await opensAndReads(directory);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock whose process is gone', async () => {
    const directory = freshDirectory();
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    const lockPath = join(directory, LOCK_FILE_NAME);
    writeFileSync(
      lockPath,
      JSON.stringify({
        pid: gone.pid,
        hostname: hostname(),
        command: 'main.ts',
        since: new Date().toISOString(),
        ...linuxProcessSpace(),
        token: 'gone',
      }),
    );
    await opensAndReads(directory);
  });

  it('memory:// needs no lock and opens any number of times', async () => {
    const handles = await Promise.all([1, 2].map(() => openDatabase({ url: 'memory://' })));
    await Promise.all(handles.map((handle) => handle.close()));
  });
});
