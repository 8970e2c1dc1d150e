import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  type ActionsService,
  actionsServiceRef,
  metricsServiceRef,
  tracingServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { RequestTable } from './bridge/requests';
import { createObserver } from './bridge/observe';
import { readEngineOptions, sweepIntervalSeconds } from './config';
import { usageReadPermission } from './permissions';
import { createTaskStore, openTaskDatabase } from './tasks/store';
import { createWellKnownRouter } from './routers/createWellKnownRouter';
import { CredentialsTable } from './bridge/credentials';
import { createEngine } from './bridge/engine';
import { createRegistryClient } from './bridge/registry';
import { StreamTable } from './bridge/streams';
import { createStreamableRouter } from './routers/createStreamableRouter';
import { createPageRouter } from './routers/createPageRouter';
import { createElicitationRouter } from './routers/createElicitationRouter';

/** `mcpActions.limits.maxRequestBodyBytes` by default (the engine validates the setting). */
const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Whether `actions` is Backstage's default actions service, whose registry requests the
 * registry client makes itself, faster. Any other implementation is called as it is.
 */
function usesDefaultActionsService(actions: ActionsService): boolean {
  return actions.constructor?.name === 'DefaultActionsService';
}

/** What tests and the session memory script may watch. @internal */
export interface McpActionsProbe {
  sessionCount(): number;
  openStreams(): number;
  cachedCredentials(): number;
  callsInFlight(): number;
  tasksRunning(): number;
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
          auth: coreServices.auth,
          httpRouter: coreServices.httpRouter,
          config: coreServices.rootConfig,
          lifecycle: coreServices.lifecycle,
          database: coreServices.database,
          scheduler: coreServices.scheduler,
          discovery: coreServices.discovery,
          rootRouter: coreServices.rootHttpRouter,
          auditor: coreServices.auditor,
          permissions: coreServices.permissions,
          permissionsRegistry: coreServices.permissionsRegistry,
          metrics: metricsServiceRef,
          tracing: tracingServiceRef,
          actions: actionsServiceRef,
        },
        async init(deps) {
          const { logger, httpAuth, httpRouter, config, lifecycle, actions } = deps;
          const credentials = options.credentials ?? new CredentialsTable();
          const requests = new RequestTable(deps.tracing);
          const streams = new StreamTable(credentials, requests);
          const engineOptions = await readEngineOptions(config, deps.discovery);
          // Tasks, and results over the budget, live in the plugin's database, so that every
          // replica serves them. (The engine decides whether it uses them.)
          const tasks = createTaskStore(await openTaskDatabase(deps.database), logger);
          const engine = createEngine({
            options: engineOptions,
            actions,
            registry: usesDefaultActionsService(actions)
              ? createRegistryClient({
                  auth: deps.auth,
                  discovery: deps.discovery,
                  config,
                  logger,
                })
              : undefined,
            credentials,
            streams,
            requests,
            tracing: deps.tracing,
            captureToolPayload:
              config.getOptionalBoolean('mcpActions.tracing.capture.toolPayload') ?? false,
            taskStore: tasks,
            logger,
          });
          // One replica at a time deletes the tasks and results whose TTL passed.
          const every = sweepIntervalSeconds(config);
          await deps.scheduler.scheduleTask({
            id: 'mcp-actions-tasks-sweep',
            frequency: { seconds: every },
            timeout: { seconds: Math.max(60, every) },
            initialDelay: { seconds: Math.min(every, 60) },
            fn: async () => {
              const swept = await engine.sweepTasks();
              if (swept > 0) logger.info(`deleted ${swept} expired MCP tasks and results`);
            },
          });
          const observer = createObserver({
            auditor: deps.auditor,
            metrics: deps.metrics,
            logger,
            sessionCount: () => engine.sessionCount(),
          });
          streams.observer = observer;
          // Open SSE streams would hold the HTTP server open: end them on shutdown.
          lifecycle.addShutdownHook(async () => {
            // Tasks running here cannot finish: they read failed at once, not after their
            // heartbeat goes stale.
            await engine.stopTasks().catch(error =>
              logger.warn(`could not mark the tasks running here as failed: ${error}`),
            );
            // What this replica recorded since its last batch is written, not lost.
            await engine.flushUsage().catch(error =>
              logger.warn(`could not write the last usage batch: ${error}`),
            );
            engine.shutdown();
            // Listen streams end with a result for their request (a graceful close).
            for (const { stream, chunk } of engine.closeAllListens()) {
              streams.deliver({ session: stream, chunk, end: true });
            }
            streams.endAll();
          });
          options.probe?.({
            sessionCount: () => engine.sessionCount(),
            openStreams: () => streams.size,
            cachedCredentials: () => engine.cachedCredentials(),
            callsInFlight: () => engine.callsInFlight(),
            tasksRunning: () => engine.tasksRunning(),
          });
          // OAuth discovery for MCP clients, on the root router (RFC 9728, RFC 8414).
          const oauth = JSON.parse(engineOptions.config).oauth as
            | { mcpBaseUrl: string }
            | undefined;
          if (oauth) {
            createWellKnownRouter({
              engine,
              rootRouter: deps.rootRouter,
              discovery: deps.discovery,
              mcpBasePath: new URL(oauth.mcpBaseUrl).pathname.replace(/\/+$/, ''),
              logger,
            });
          }
          // The frontend page's API, under Backstage's default auth policy (users only).
          deps.permissionsRegistry.addPermissions([usageReadPermission]);
          httpRouter.use(
            createPageRouter({ engine, httpAuth, credentials, permissions: deps.permissions }),
          );
          // The secrets page's API, before the MCP routes it sits beside under /v1.
          httpRouter.use(createElicitationRouter({ engine, httpAuth }));
          // The router authenticates every request itself, so that a refusal is a
          // JSON-RPC error with a bearer challenge, not Backstage's generic 401 body.
          httpRouter.addAuthPolicy({ path: '/v1', allow: 'unauthenticated' });
          httpRouter.use(
            createStreamableRouter({
              engine,
              httpAuth,
              credentials,
              streams,
              requests,
              observer,
              logger,
              bodyLimit:
                config.getOptionalNumber('mcpActions.limits.maxRequestBodyBytes') ??
                DEFAULT_BODY_LIMIT,
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
