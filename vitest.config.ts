import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql 16 ships CommonJS and ESM builds; the libraries load the CommonJS one, so the code under
// test must too, or a GraphQLError from a resolver is not one to graphql-yoga.
const graphql = createRequire(import.meta.url).resolve('graphql');

const integration = ['test/src/**/*.test.ts'];
// Programs that only talk GraphQL to a gateway (the CLI, GraphiQL in Chromium) test nothing of the
// database behind it: they run once, on the embedded default a user starts with `npm start`.
const throughTheGatewayOnly = ['test/src/client-cli.test.ts', 'test/src/graphiql-browser.test.ts'];

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphql }] },
  test: {
    // Many tests start real processes (gateways, CLIs, each opening PGlite): 20-27 s apiece on a
    // loaded 2-core CI machine, so 30 s was the edge; a hang still fails, a minute later.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most test files wait on timers, sockets and child processes rather than compute: the default
    // of one worker per core but one (a single worker on a 2-core machine) leaves the CPU idle.
    maxWorkers: 3,
    // Each test file would otherwise import the gateway (graphql-yoga, Pothos, drizzle, PGlite)
    // afresh, about 4 s of a loaded CPU apiece; sharing a worker's modules halves the suite's CPU.
    // Files in one worker run one after another, and every file starts its own gateways.
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/test/**/*.test.ts',
            'db/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
            'tools/test/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: integration,
          exclude: throughTheGatewayOnly,
          env: { TEST_DATABASE: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: integration,
          globalSetup: ['test/src/support/pglite-template.ts'],
          // An outage of a database server has no meaning for an embedded one.
          exclude: ['test/src/postgres-*.test.ts'],
          env: { TEST_DATABASE: 'pglite' },
        },
      },
      { extends: true, test: { name: 'chaos', include: ['test/chaos/**/*.test.ts'] } },
    ],
  },
});
