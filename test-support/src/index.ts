export * from './ports.ts';
export * from './postgres.ts';
export * from './scripts.ts';
export * from './servers.ts';
