export * from './container.ts';
export * from './inspect-video.ts';
export * from './rules.ts';
