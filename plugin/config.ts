import type { Config } from '@backstage/config';
import type {
  DiscoveryService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import path from 'node:path';
import type { EngineOptions } from '../index';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

interface RuleConfig {
  id?: string;
  destructive?: boolean;
  readOnly?: boolean;
  idempotent?: boolean;
}

function readRules(configs: Config[] | undefined): RuleConfig[] {
  return (configs ?? []).map(rule => ({
    id: rule.getOptionalString('id'),
    destructive: rule.getOptionalBoolean('attributes.destructive'),
    readOnly: rule.getOptionalBoolean('attributes.readOnly'),
    idempotent: rule.getOptionalBoolean('attributes.idempotent'),
  }));
}

/** The match keys of a policy rule (rate limits, confirmations), attributes flattened. */
function readMatch(rule: Config) {
  return {
    name: rule.getOptionalString('name'),
    principal: rule.getOptionalString('principal'),
    tool: rule.getOptionalString('tool'),
    destructive: rule.getOptionalBoolean('attributes.destructive'),
    readOnly: rule.getOptionalBoolean('attributes.readOnly'),
    idempotent: rule.getOptionalBoolean('attributes.idempotent'),
    server: rule.getOptionalString('server'),
  };
}

/** `mcpActions.rateLimits`, as the engine reads them. */
function readRateLimits(config: RootConfigService) {
  return (config.getOptionalConfigArray('mcpActions.rateLimits') ?? []).map(rule => ({
    ...readMatch(rule),
    limit: rule.getOptionalNumber('limit'),
    window: rule.getOptionalString('window'),
  }));
}

/** `mcpActions.confirm`: each entry a match. */
function readConfirm(config: RootConfigService) {
  return (config.getOptionalConfigArray('mcpActions.confirm') ?? []).map(readMatch);
}

/** Where the package's built-in MCP Apps views are (`npm run build:views`). */
export const BUILTIN_VIEWS_DIR = path.join(__dirname, '..', 'views', 'dist');

/** `mcpActions.apps.*`: the engine loads the views at startup and names a bad one. */
function readApps(config: RootConfigService) {
  return {
    enabled: config.getOptionalBoolean('mcpActions.apps.enabled') ?? true,
    builtinDir: BUILTIN_VIEWS_DIR,
    views: (config.getOptionalConfigArray('mcpActions.apps.views') ?? []).map(view => ({
      tool: view.getOptionalString('tool'),
      file: view.getOptionalString('file'),
      view: view.getOptionalString('view'),
    })),
  };
}

function origin(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}

/**
 * Whether the auth backend offers OAuth to MCP clients (dynamic client registration,
 * client ID metadata documents, or static clients), as the official plugin decides it.
 */
export function oauthEnabled(config: RootConfigService): boolean {
  const cimd = config.has('auth.clientIdMetadataDocuments')
    ? 'auth.clientIdMetadataDocuments'
    : 'auth.experimentalClientIdMetadataDocuments';
  return Boolean(
    config.getOptionalBoolean('auth.experimentalDynamicClientRegistration.enabled') ||
      config.getOptionalBoolean(`${cimd}.enabled`) ||
      config.has('auth.staticClients'),
  );
}

/** `mcpActions.tasks.enabled` (default on): long calls may become MCP tasks. */
export function tasksEnabled(config: RootConfigService): boolean {
  return config.getOptionalBoolean('mcpActions.tasks.enabled') ?? true;
}

/** `mcpActions.tasks.sweepIntervalSeconds`: how often expired tasks (and results) are deleted. */
export function sweepIntervalSeconds(config: RootConfigService): number {
  return config.getOptionalNumber('mcpActions.tasks.sweepIntervalSeconds') ?? 300;
}

/**
 * Reads `mcpActions.*` once at startup with Backstage's typed getters (so Backstage names a
 * value of the wrong type) and hands it to the engine, which validates the rest.
 */
export async function readEngineOptions(
  config: RootConfigService,
  discovery: DiscoveryService,
): Promise<EngineOptions> {
  const servers = config.getOptionalConfig('mcpActions.servers');
  const raw = {
    version,
    name: config.getOptionalString('mcpActions.name'),
    description: config.getOptionalString('mcpActions.description'),
    instructions: config.getOptionalString('mcpActions.instructions'),
    namespacedToolNames: config.getOptionalBoolean('mcpActions.namespacedToolNames'),
    toolNameSeparator: config.getOptionalString('mcpActions.toolNameSeparator'),
    toolsPageSize: config.getOptionalNumber('mcpActions.toolsPageSize'),
    toolDiscovery: config.getOptionalString('mcpActions.toolDiscovery'),
    schemas: config.getOptionalString('mcpActions.schemas'),
    pluginSources: config.getOptionalStringArray('backend.actions.pluginSources') ?? [],
    allowedOrigins: config.getOptionalStringArray('mcpActions.allowedOrigins'),
    ownOrigins: [
      ...origin(config.getOptionalString('backend.baseUrl')),
      ...origin(config.getOptionalString('app.baseUrl')),
    ],
    oauth: oauthEnabled(config)
      ? {
          mcpBaseUrl: await discovery.getExternalBaseUrl('mcp-actions'),
          authBaseUrl: await discovery.getExternalBaseUrl('auth'),
          offlineAccess:
            config.getOptionalBoolean('auth.experimentalRefreshToken.enabled') ?? false,
        }
      : undefined,
    page: {
      baseUrl: await discovery.getExternalBaseUrl('mcp-actions'),
      staticTokens: (config.getOptionalConfigArray('backend.auth.externalAccess') ?? []).some(
        entry => entry.getOptionalString('type') === 'static',
      ),
      appBaseUrl: config.getOptionalString('app.baseUrl'),
    },
    secrets: {
      encryptionKey: config.getOptionalString('mcpActions.secrets.encryptionKey'),
      ttlSeconds: config.getOptionalNumber('mcpActions.secrets.ttlSeconds'),
    },
    toolListTtl: config.getOptionalNumber('mcpActions.cache.toolListTtl'),
    toolCallTimeout: config.getOptionalNumber('mcpActions.toolCallTimeout'),
    progressInterval: config.getOptionalNumber('mcpActions.progressInterval'),
    sourceListTimeout: config.getOptionalNumber('mcpActions.sourceListTimeout'),
    limits: {
      maxConcurrentCallsPerPrincipal: config.getOptionalNumber(
        'mcpActions.limits.maxConcurrentCallsPerPrincipal',
      ),
      maxRequestBodyBytes: config.getOptionalNumber('mcpActions.limits.maxRequestBodyBytes'),
    },
    actionsFilter: {
      include: readRules(config.getOptionalConfigArray('backend.actions.filter.include')),
      exclude: readRules(config.getOptionalConfigArray('backend.actions.filter.exclude')),
    },
    credentialsCache: {
      maxEntries: config.getOptionalNumber('mcpActions.credentialsCache.maxEntries'),
      opaqueTokenTtlSeconds: config.getOptionalNumber(
        'mcpActions.credentialsCache.opaqueTokenTtlSeconds',
      ),
    },
    sessions: {
      stateful: config.getOptionalBoolean('mcpActions.sessions.stateful'),
      legacySse: config.getOptionalBoolean('mcpActions.sessions.legacySse'),
      maxSessions: config.getOptionalNumber('mcpActions.sessions.maxSessions'),
      maxSessionsPerPrincipal: config.getOptionalNumber(
        'mcpActions.sessions.maxSessionsPerPrincipal',
      ),
      idleTimeoutSeconds: config.getOptionalNumber(
        'mcpActions.sessions.idleTimeoutSeconds',
      ),
      keepAliveSeconds: config.getOptionalNumber('mcpActions.sessions.keepAliveSeconds'),
    },
    results: {
      maxChars: config.getOptionalNumber('mcpActions.results.maxChars'),
      ttlSeconds: config.getOptionalNumber('mcpActions.results.ttlSeconds'),
    },
    rateLimits: readRateLimits(config),
    confirm: readConfirm(config),
    confirmTimeout: config.getOptionalNumber('mcpActions.confirmTimeout'),
    apps: readApps(config),
    usage: {
      enabled: config.getOptionalBoolean('mcpActions.usage.enabled'),
      retentionDays: config.getOptionalNumber('mcpActions.usage.retentionDays'),
    },
    tasks: {
      enabled: tasksEnabled(config),
      promoteAfterSeconds: config.getOptionalNumber('mcpActions.tasks.promoteAfterSeconds'),
      always: config.getOptionalStringArray('mcpActions.tasks.always') ?? [],
      ttlSeconds: config.getOptionalNumber('mcpActions.tasks.ttlSeconds'),
      pollIntervalSeconds: config.getOptionalNumber('mcpActions.tasks.pollIntervalSeconds'),
      maxResultBytes: config.getOptionalNumber('mcpActions.tasks.maxResultBytes'),
      heartbeatSeconds: config.getOptionalNumber('mcpActions.tasks.heartbeatSeconds'),
    },
    servers: (servers?.keys() ?? []).map(key => {
      const server = servers!.getConfig(key);
      return {
        key,
        name: server.getString('name'),
        description: server.getOptionalString('description'),
        instructions: server.getOptionalString('instructions'),
        toolDiscovery: server.getOptionalString('toolDiscovery'),
        results: { maxChars: server.getOptionalNumber('results.maxChars') },
        include: readRules(server.getOptionalConfigArray('filter.include')),
        exclude: readRules(server.getOptionalConfigArray('filter.exclude')),
      };
    }),
  };
  return { config: JSON.stringify(raw) };
}
