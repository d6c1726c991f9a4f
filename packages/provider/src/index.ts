export * from './client.ts';
export * from './errors.ts';
export * from './media/index.ts';
export * from './models/index.ts';
export { parseTaskRecord, taskRecordSchema } from './task-record.ts';
export * from './types.ts';
export * from './webhook.ts';
