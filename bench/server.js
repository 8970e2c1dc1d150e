// One benchmark backend, in its own process so that its CPU and memory can be read from /proc:
// a real Backstage backend with the `bench` actions plugin, two static tokens, and one MCP
// plugin.
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
/** A second caller (service:neighbour), for bench/neighbours.js. */
const NEIGHBOUR_TOKEN = 'bench-neighbour-0123456789abcdef';

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
      auth: {
        externalAccess: [
          { type: 'static', options: { token: TOKEN, subject: 'bench' } },
          { type: 'static', options: { token: NEIGHBOUR_TOKEN, subject: 'neighbour' } },
        ],
      },
      actions: { pluginSources: ['bench', ...extraSources] },
    },
    ...(mcpActions && { mcpActions }),
  });
}

async function main() {
  const [target, portArg, ttlArg] = process.argv.slice(2);
  const port = Number(portArg);
  // BENCH_MCP_ACTIONS: more mcpActions config as JSON (bench/neighbours.js: rate limits).
  const extra = JSON.parse(process.env.BENCH_MCP_ACTIONS ?? '{}');
  const ttl = ttlArg === undefined ? {} : { cache: { toolListTtl: Number(ttlArg) } };
  const config = benchConfig(port, {
    mcpActions: ttlArg === undefined && !process.env.BENCH_MCP_ACTIONS ? undefined : { ...ttl, ...extra },
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

module.exports = { TOKEN, NEIGHBOUR_TOKEN, benchConfig };

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`bench backend failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
