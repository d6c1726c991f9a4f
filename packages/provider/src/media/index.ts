export * from './container.ts';
export * from './inspect-image.ts';
export * from './inspect-video.ts';
export * from './rules.ts';
