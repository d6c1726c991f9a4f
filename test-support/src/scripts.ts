import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ScriptOptions {
  args?: string[];
  /** Its environment beside PATH: nothing else of ours reaches it. */
  env?: Record<string, string>;
  /** Flags for node before the script, such as `--cpu-prof`. */
  nodeFlags?: string[];
}

/**
 * A TypeScript file of the repository (a path from its root, or an absolute one) run by node
 * with tsx, in the repository's root, as `npm run` runs it.
 */
export function spawnScript(
  script: string,
  options: ScriptOptions,
  stdio: StdioOptions,
): ChildProcess {
  const { args = [], env = {}, nodeFlags = [] } = options;
  return spawn(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', resolve(root, script), ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio,
    },
  );
}

export interface ScriptEnd {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they were read. */
  output: string;
}

export interface RunningScript {
  child: ChildProcess;
  /** All it printed so far, stdout and stderr together. */
  output(): string;
  /** The match of `pattern` in what it printed, once there is one; rejects if it ends first. */
  printed(pattern: RegExp): Promise<RegExpExecArray>;
  /** Its exit code and all it printed, once it exited and its output was read to the end. */
  ended: Promise<ScriptEnd>;
  /** Sends SIGTERM and waits for its end. */
  stop(): Promise<ScriptEnd>;
}

/** A script in its own process, all it prints kept (see `spawnScript`). */
export function startScript(script: string, options: ScriptOptions = {}): RunningScript {
  const child = spawnScript(script, options, ['ignore', 'pipe', 'pipe']);
  const printed = { stdout: '', stderr: '', output: '' };
  const watchers = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (chunk) => {
      printed[stream] += chunk;
      printed.output += chunk;
      for (const watch of watchers) watch();
    });
  }
  const ended = new Promise<ScriptEnd>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ...printed }));
  });
  return {
    child,
    output: () => printed.output,
    printed: (pattern) =>
      new Promise((resolve, reject) => {
        const watch = () => {
          const match = pattern.exec(printed.output);
          if (!match) return;
          watchers.delete(watch);
          resolve(match);
        };
        watchers.add(watch);
        watch();
        ended.then(
          () =>
            reject(new Error(`${script} ended without printing ${pattern}:\n${printed.output}`)),
          reject,
        );
      }),
    ended,
    stop: () => {
      child.kill('SIGTERM');
      return ended;
    },
  };
}

/** A script run to its end (see `spawnScript`). */
export function runScript(script: string, options: ScriptOptions = {}): Promise<ScriptEnd> {
  return startScript(script, options).ended;
}
