export type {
  CharacterListOptions,
  CharacterOrder,
  CharacterRow,
  CreditLimits,
  CreditUsage,
  FoundCharacter,
  Page,
  Position,
  SourceImage,
  TaskFilter,
  TaskListOptions,
  TaskRow,
  TaskState,
  VideoFilter,
  VideoListOptions,
  VideoRow,
  WebhookAttemptRow,
  WebhookDeliveryFilter,
  WebhookDeliveryRow,
  WebhookEndpointRow,
  WebhookEvent,
} from '@charanim/db';
export {
  isOwnerName,
  isRowId,
  StopWordsOnlyError,
  searchWords,
  taskStates,
  webhookEvents,
} from '@charanim/db';
// What the GraphQL schema needs of the provider, so that it reaches kie.ai's world through here.
export {
  createModelRegistry,
  type FileField,
  inputJsonSchema,
  type ModelDefinition,
  type ModelRegistry,
  ProviderError,
  type ProviderErrorCode,
  providerErrorCodes,
  type ResultKind,
  resultKinds,
} from '@charanim/provider';
export { changeFor } from './apply.ts';
export {
  type Availability,
  type AvailabilityLearner,
  type AvailabilityService,
  availabilityLearner,
  type PausedModel,
} from './availability.ts';
export type { CallbackAnswer, CallbackInput } from './callbacks.ts';
export type { DeleteOutcome } from './delete.ts';
export { DEFAULT_POLL_BOUND_MS, type TaskCoreDeps } from './deps.ts';
export { createTaskEvents, type TaskEventHub, type TaskEvents } from './events/index.ts';
export { TaskNotFound } from './follow.ts';
export type { Logger } from './logger.ts';
export { nextDelay, Poller, type PollerOptions } from './poller.ts';
export { probeModels } from './probe.ts';
export {
  type CharacterService,
  type CreditService,
  createTaskCore,
  type TaskCore,
  type TaskService,
  type VideoService,
} from './services.ts';
export { logTaskChange } from './story.ts';
export {
  type CreateLimiter,
  CreateNotAdmitted,
  databaseCreateLimiter,
  noCreateLimit,
} from './submit/create-limiter.ts';
export type { BudgetExceeded } from './submit/credits.ts';
export type { SubmitOutcome } from './submit/outcome.ts';
export { MAX_IDEMPOTENCY_KEY_LENGTH, type SubmitRequest } from './submit/prepare.ts';
export type { Upload } from './upload.ts';
export * from './webhooks/index.ts';
