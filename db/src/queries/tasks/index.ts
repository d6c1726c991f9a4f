export * from './advance.ts';
export * from './changes.ts';
export * from './poll.ts';
export * from './read.ts';
export * from './write-ahead.ts';
