// One benchmark backend, in its own process so that its CPU and memory can be read from /proc:
// a real Backstage backend with the `bench` actions plugin, a static token, and one MCP plugin.
//
//   node bench/server.js <ours|official|floor> <port> [toolListTtlSeconds]
//
// `floor` has no MCP plugin: the registry's own endpoints are the floor. Prints `ready` when
// it listens, and stops on SIGTERM.
'use strict';

const { createBackend } = require('@backstage/backend-defaults');
const { coreServices, createServiceFactory } = require('@backstage/backend-plugin-api');
const { ConfigReader } = require('@backstage/config');
const { benchActionsPlugin } = require('./actionsPlugin');

const TOKEN = 'bench-token-0123456789abcdef';

/**
 * The root config of a benchmark backend on `port`: in-memory SQLite, the static token, and
 * `bench` (plus `extraSources`) as action sources; `mcpActions` when given.
 */
function benchConfig(port, { mcpActions, extraSources = [] } = {}) {
  const baseUrl = `http://127.0.0.1:${port}`;
  return new ConfigReader({
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { port, host: '127.0.0.1' },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      auth: { externalAccess: [{ type: 'static', options: { token: TOKEN, subject: 'bench' } }] },
      actions: { pluginSources: ['bench', ...extraSources] },
    },
    ...(mcpActions && { mcpActions }),
  });
}

async function main() {
  const [target, portArg, ttlArg] = process.argv.slice(2);
  const port = Number(portArg);
  const config = benchConfig(port, {
    mcpActions: ttlArg === undefined ? undefined : { cache: { toolListTtl: Number(ttlArg) } },
  });
  const backend = createBackend();
  backend.add(createServiceFactory({ service: coreServices.rootConfig, deps: {}, factory: () => config }));
  if (target === 'ours') backend.add(require('../dist').default);
  else if (target === 'official') backend.add(require('@backstage/plugin-mcp-actions-backend').default);
  else if (target !== 'floor') throw new Error(`unknown target ${target}`);
  backend.add(benchActionsPlugin);
  await backend.start();
  process.once('SIGTERM', () => {
    backend.stop().finally(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

module.exports = { TOKEN, benchConfig };

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`bench backend failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
