export {
  type Config,
  ConfigError,
  configSchema,
  loadConfig,
  loadConfigOrExit,
} from './config.ts';
export { type Gateway, type GatewayOptions, GRAPHQL_PATH, startGateway } from './gateway.ts';
export { createLogger, type Logger } from './logger.ts';
export { WEBHOOK_PATH } from './plugins/kie-webhook.ts';
export { DEFAULT_USER_AGENT } from './user-agent.ts';
