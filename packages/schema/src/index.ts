import { builder } from './builder.ts';
import './scalars.ts';
import './upload.ts';
import './errors.ts';
import './task.ts';
import './video.ts';
import './character.ts';
import './character-mutations.ts';
import './credits.ts';
import './model.ts';
import './api-keys.ts';
import './usage.ts';
import './delete.ts';
import './webhook-endpoint.ts';
import './webhook-deliveries.ts';

export type {
  ApiKeyAdmin,
  ApiKeyRecord,
  ApiKeySelector,
  CreateApiKeyOutcome,
} from './api-key-admin.ts';
export type { Account, Context, Upload, Viewer } from './context.ts';
export { globalId } from './ids.ts';
export { mutationOf } from './served-models.ts';
export { registerUpload } from './upload.ts';

/** The gateway's GraphQL schema. */
export const schema = builder.toSchema({ sortSchema: false });
