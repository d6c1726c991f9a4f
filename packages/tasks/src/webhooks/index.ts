export type { GlobalId } from './payload.ts';
export { SECRET_PREFIX } from './secrets.ts';
export {
  type DeliveryResult,
  retryDelay,
  WebhookSender,
  type WebhookSenderDeps,
  type WebhookSenderOptions,
} from './sender.ts';
export {
  createWebhookService,
  SECRET_OVERLAP_MS,
  type WebhookEndpointFound,
  type WebhookEndpointInput,
  type WebhookEndpointNotFound,
  type WebhookInputError,
  type WebhookService,
  type WebhookServiceDeps,
} from './service.ts';
export type { WebhookAnswer, WebhookTransport } from './transport.ts';
