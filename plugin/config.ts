import type { Config } from '@backstage/config';
import type { RootConfigService } from '@backstage/backend-plugin-api';
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

/**
 * Reads `mcpActions.*` once at startup with Backstage's typed getters (so Backstage names a
 * value of the wrong type) and hands it to the engine, which validates the rest.
 */
export function readEngineOptions(config: RootConfigService): EngineOptions {
  const servers = config.getOptionalConfig('mcpActions.servers');
  const raw = {
    version,
    name: config.getOptionalString('mcpActions.name'),
    description: config.getOptionalString('mcpActions.description'),
    instructions: config.getOptionalString('mcpActions.instructions'),
    namespacedToolNames: config.getOptionalBoolean('mcpActions.namespacedToolNames'),
    toolNameSeparator: config.getOptionalString('mcpActions.toolNameSeparator'),
    toolsPageSize: config.getOptionalNumber('mcpActions.toolsPageSize'),
    pluginSources: config.getOptionalStringArray('backend.actions.pluginSources') ?? [],
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
    servers: (servers?.keys() ?? []).map(key => {
      const server = servers!.getConfig(key);
      return {
        key,
        name: server.getString('name'),
        description: server.getOptionalString('description'),
        instructions: server.getOptionalString('instructions'),
        include: readRules(server.getOptionalConfigArray('filter.include')),
        exclude: readRules(server.getOptionalConfigArray('filter.exclude')),
      };
    }),
  };
  return { config: JSON.stringify(raw) };
}
