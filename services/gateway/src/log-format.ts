import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** How the gateway writes its log: JSON lines for machines, or pino-pretty's lines for a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * Where the log goes: stdout as JSON (pino's own), or through pino-pretty in this process, kept
 * synchronous so that a line is out before the process exits (a shutdown's last line too).
 */
export function logDestination(
  format: LogFormat,
  output: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): DestinationStream | undefined {
  if (format === 'json')
    return output === process.stdout ? undefined : (output as DestinationStream);
  return pretty({
    destination: output,
    sync: true,
    colorize: output.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
}
