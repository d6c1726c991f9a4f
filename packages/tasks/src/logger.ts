/**
 * What the task core writes its story to: pino's logger fits it, and tests may pass anything
 * that does. The core never logs a secret or a client's input.
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}
