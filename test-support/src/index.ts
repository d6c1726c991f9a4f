export * from './processes.ts';
