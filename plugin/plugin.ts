import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { readEngineOptions } from './config';
import { CredentialsTable } from './bridge/credentials';
import { createEngine } from './bridge/engine';
import { StreamTable } from './bridge/streams';
import { createStreamableRouter } from './routers/createStreamableRouter';

/** What tests and the session memory script may watch. @internal */
export interface McpActionsProbe {
  sessionCount(): number;
  openStreams(): number;
}

/**
 * The `mcp-actions` plugin: wiring only, the MCP protocol lives in the Rust engine.
 * `credentials` and `probe` let tests watch the handle and session tables.
 *
 * @internal
 */
export function createMcpActionsPlugin(
  options: {
    credentials?: CredentialsTable;
    probe?: (probe: McpActionsProbe) => void;
  } = {},
) {
  return createBackendPlugin({
    pluginId: 'mcp-actions',
    register(env) {
      env.registerInit({
        deps: {
          logger: coreServices.logger,
          httpAuth: coreServices.httpAuth,
          httpRouter: coreServices.httpRouter,
          config: coreServices.rootConfig,
          lifecycle: coreServices.lifecycle,
          actions: actionsServiceRef,
        },
        async init({ logger, httpAuth, httpRouter, config, lifecycle, actions }) {
          const credentials = options.credentials ?? new CredentialsTable();
          const streams = new StreamTable(credentials);
          const engine = createEngine({
            options: readEngineOptions(config),
            actions,
            credentials,
            streams,
            logger,
          });
          // Open SSE streams would hold the HTTP server open: end them on shutdown.
          lifecycle.addShutdownHook(() => {
            engine.shutdown();
            streams.endAll();
          });
          options.probe?.({
            sessionCount: () => engine.sessionCount(),
            openStreams: () => streams.size,
          });
          // The router authenticates every request itself, so that a refusal is a
          // JSON-RPC error with a bearer challenge, not Backstage's generic 401 body.
          httpRouter.addAuthPolicy({ path: '/v1', allow: 'unauthenticated' });
          httpRouter.use(
            createStreamableRouter({
              engine,
              httpAuth,
              credentials,
              streams,
              logger,
            }),
          );
        },
      });
    },
  });
}

/**
 * The `mcp-actions` plugin.
 *
 * @public
 */
export const mcpActionsPlugin = createMcpActionsPlugin();
