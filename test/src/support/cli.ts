import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run cli -- …` in a process of its own, as a user runs it; its stdout is a pipe, not a
 * terminal. Only PATH and `env` reach it, so the caller's CHARANIM_* settings cannot.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runScript('examples/client/src/cli.ts', args, env);
}

/** `npm run keys -- …` in a process of its own, with only PATH and `env`. */
export function runKeys(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runScript('services/gateway/src/keys-cli.ts', args, env);
}

function runScript(script: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
