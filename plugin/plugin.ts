import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { readEngineOptions } from './config';
import { CredentialsTable } from './bridge/credentials';
import { createEngine } from './bridge/engine';
import { createStreamableRouter } from './routers/createStreamableRouter';

/**
 * The `mcp-actions` plugin: wiring only, the MCP protocol lives in the Rust engine.
 * `credentials` lets tests watch the handle table.
 *
 * @internal
 */
export function createMcpActionsPlugin(
  options: { credentials?: CredentialsTable } = {},
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
          actions: actionsServiceRef,
        },
        async init({ logger, httpAuth, httpRouter, config, actions }) {
          const credentials = options.credentials ?? new CredentialsTable();
          const engine = createEngine({
            options: readEngineOptions(config),
            actions,
            credentials,
            logger,
          });
          // The router authenticates every request itself, so that a refusal is a
          // JSON-RPC error with a bearer challenge, not Backstage's generic 401 body.
          httpRouter.addAuthPolicy({ path: '/v1', allow: 'unauthenticated' });
          httpRouter.use(
            createStreamableRouter({ engine, httpAuth, credentials, logger }),
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
