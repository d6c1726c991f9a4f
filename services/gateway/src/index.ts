export { type Config, ConfigError, configSchema, loadConfig } from './config.ts';
export { GRAPHQL_PATH, type Gateway, type GatewayOptions, startGateway } from './gateway.ts';
export { createLogger, type Logger } from './logger.ts';
export { WEBHOOK_PATH } from './plugins/kie-webhook.ts';
