import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@charanim/db';
import type { TestProject } from 'vitest/node';

/**
 * Vitest's global setup for the PGlite tests: one migrated PGlite data directory for the run.
 * PGlite's initdb costs about 3 s of CPU each time; a copy of this directory opens in under one.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'pglite-template-'));
  const directory = join(root, 'data');
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    const handle = await openDatabase({ url: directory });
    try {
      await handle.migrate();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await remove();
    throw error;
  }
  project.provide('pgliteTemplate', directory);
  return remove;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated PGlite data directory each test database copies. */
    pgliteTemplate: string;
  }
}

/** A fresh copy of the template in a directory of its own, which `drop` removes. */
export async function copyPgliteTemplate(
  template: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'gateway-test-pglite-'));
  const url = join(root, 'data');
  await cp(template, url, { recursive: true });
  return { url, drop: () => rm(root, { recursive: true, force: true }) };
}
