import { runScript, type ScriptEnd } from '@charanim/test-support';

/**
 * `npm run cli -- …` in a process of its own, as a user runs it; its stdout is a pipe, not a
 * terminal. Only PATH and `env` reach it, so the caller's CHARANIM_* settings cannot.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<ScriptEnd> {
  return runScript('examples/client/src/cli.ts', { args, env });
}

/** `npm run keys -- …` in a process of its own, with only PATH and `env`. */
export function runKeys(args: string[], env: Record<string, string> = {}): Promise<ScriptEnd> {
  return runScript('services/gateway/src/keys-cli.ts', { args, env });
}
