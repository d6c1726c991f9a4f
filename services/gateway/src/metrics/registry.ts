import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's own figures (CPU, memory, event loop, GC), collected once however many gateways
 * the process runs (the tests run many): each collection starts monitors that never stop.
 */
let processMetrics: Registry | undefined;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** Every metric the gateway exports at /metrics: the process's figures and its own. */
export function createMetrics() {
  const registry = new Registry();
  const shared = processRegistry();
  for (const { name } of shared.getMetricsAsArray()) {
    const metric = shared.getSingleMetric(name);
    if (metric) registry.registerMetric(metric);
  }
  return {
    registry,
    operations: new Counter({
      name: 'gateway_graphql_operations_total',
      help: 'GraphQL operations executed, by type and root field, and whether they had errors.',
      labelNames: ['type', 'field', 'outcome'] as const,
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'gateway_task_transitions_total',
      help: 'Tasks entering each state.',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    providerCalls: new Histogram({
      name: 'gateway_kie_call_duration_seconds',
      help: 'kie.ai call attempts by operation and outcome (ok or the error code).',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [registry],
    }),
    callbacks: new Counter({
      name: 'gateway_callbacks_total',
      help: 'kie.ai callbacks received, by what the gateway did with them.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    pollerLag: new Gauge({
      name: 'gateway_poller_lag_seconds',
      help: 'How late the most overdue poll was at the last tick.',
      registers: [registry],
    }),
    createLimitWaits: new Histogram({
      name: 'gateway_create_limit_wait_seconds',
      help: "Waits for a place in kie.ai's account-wide create window (KIE_CREATE_LIMIT), by outcome: admitted, or not_admitted within CREATE_TIMEOUT_MS.",
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    createLimitHolds: new Counter({
      name: 'gateway_create_limit_holds_total',
      help: "Times kie.ai answered a create 429 all the same, holding every instance's creates for a window.",
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'gateway_webhook_deliveries_total',
      help: 'Webhook delivery attempts by result: delivered, retry (failed, tried again later) or failed (given up).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
