export * from './postgres.ts';
export * from './processes.ts';
