import type { RootConfigService } from '@backstage/backend-plugin-api';
import type { EngineOptions } from '../index';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/** Reads the engine's settings from `mcpActions.*`, once at startup. */
export function readEngineOptions(config: RootConfigService): EngineOptions {
  return {
    name: config.getOptionalString('mcpActions.name'),
    version,
    description: config.getOptionalString('mcpActions.description'),
    instructions: config.getOptionalString('mcpActions.instructions'),
    namespacedToolNames: config.getOptionalBoolean(
      'mcpActions.namespacedToolNames',
    ),
    pluginSources:
      config.getOptionalStringArray('backend.actions.pluginSources') ?? [],
  };
}
