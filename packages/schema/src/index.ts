import { builder } from './builder.ts';
import './scalars.ts';
import './upload.ts';
import './errors.ts';
import './task.ts';
import './character.ts';
import './character-from-task.ts';
import './credits.ts';
import './model.ts';
import './api-keys.ts';

export type {
  ApiKeyAdmin,
  ApiKeyRecord,
  ApiKeySelector,
  CreateApiKeyOutcome,
} from './api-key-admin.ts';
export type { Context, ProviderContext, TaskEvents, Upload, Viewer } from './context.ts';
export { registerUpload } from './upload.ts';

/** The gateway's GraphQL schema. */
export const schema = builder.toSchema({ sortSchema: false });
