export * from './database.ts';
export { DirectoryLockedError } from './directory-lock.ts';
export * from './queries/api-keys.ts';
export * from './queries/callbacks.ts';
export * from './queries/characters.ts';
export * from './queries/cursor.ts';
export * from './queries/tasks.ts';
export * from './schema.ts';
export * from './seed.ts';
