// Side-by-side benchmark: this plugin and the official @backstage/plugin-mcp-actions-backend,
// each in a real Backstage backend with the same actions, driven over loopback HTTP with the
// same requests in one run. Prints requests per second and the ratio (ours / official).
//
//   npm run bench -- [requests=2000] [concurrency=16]
'use strict';

const { createBackend } = require('@backstage/backend-defaults');
const {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} = require('@backstage/backend-plugin-api');
const { actionsRegistryServiceRef } = require('@backstage/backend-plugin-api/alpha');
const { ConfigReader } = require('@backstage/config');
const { createServer } = require('node:net');

const TOKEN = 'bench-token-0123456789abcdef';

const benchActions = createBackendPlugin({
  pluginId: 'bench',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        for (let i = 0; i < 20; i++) {
          registry.register({
            name: `action-${i}`,
            title: `Action ${i}`,
            description: `A benchmark action (${i}) that echoes its input.`,
            attributes: { readOnly: true, idempotent: true },
            schema: {
              input: z => z.object({ message: z.string(), count: z.number().optional() }),
              output: z => z.object({ echoed: z.string(), count: z.number() }),
            },
            action: async ({ input }) => ({
              output: { echoed: input.message, count: input.count ?? 0 },
            }),
          });
        }
      },
    });
  },
});

function freePort() {
  return new Promise(resolve => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function start(plugin) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const backend = createBackend();
  backend.add(
    createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () =>
        new ConfigReader({
          app: { baseUrl },
          backend: {
            baseUrl,
            listen: { port, host: '127.0.0.1' },
            database: { client: 'better-sqlite3', connection: ':memory:' },
            auth: { externalAccess: [{ type: 'static', options: { token: TOKEN, subject: 'bench' } }] },
            actions: { pluginSources: ['bench'] },
          },
        }),
    }),
  );
  backend.add(plugin);
  backend.add(benchActions);
  await backend.start();
  return { backend, url: `${baseUrl}/api/mcp-actions/v1` };
}

const headers = {
  Authorization: `Bearer ${TOKEN}`,
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  'MCP-Protocol-Version': '2025-06-18',
};

const bodies = {
  initialize: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  }),
  'tools/list': JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  'tools/call': JSON.stringify({
    jsonrpc: '2.0',
    id: 3,
    method: 'tools/call',
    params: { name: 'bench.action-7', arguments: { message: 'hello', count: 3 } },
  }),
};

async function one(url, body) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 200 || !text.includes('"result"')) {
    throw new Error(`unexpected answer ${res.status}: ${text.slice(0, 200)}`);
  }
}

async function run(url, body, requests, concurrency) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next += 1;
        await one(url, body);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return requests / seconds;
}

async function main() {
  const requests = Number(process.argv[2] ?? 2000);
  const concurrency = Number(process.argv[3] ?? 16);
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'error';
  const ours = await start(require('../dist').default);
  const official = await start(require('@backstage/plugin-mcp-actions-backend').default);
  const targets = { ours: ours.url, official: official.url };

  console.log(
    `node ${process.version}; ${requests} requests per case, concurrency ${concurrency}; ` +
      'one process, loopback HTTP, static token, 20 actions; best of 3 rounds',
  );
  console.log('case          official req/s     ours req/s    ratio');
  for (const [name, body] of Object.entries(bodies)) {
    // Warm both up, then alternate rounds so drift hits both alike.
    for (const url of Object.values(targets)) await run(url, body, 200, concurrency);
    const best = { ours: 0, official: 0 };
    for (let round = 0; round < 3; round++) {
      for (const [who, url] of Object.entries(targets)) {
        best[who] = Math.max(best[who], await run(url, body, requests, concurrency));
      }
    }
    console.log(
      `${name.padEnd(12)} ${best.official.toFixed(0).padStart(14)} ${best.ours.toFixed(0).padStart(14)} ${(best.ours / best.official).toFixed(2).padStart(8)}x`,
    );
  }
  await ours.backend.stop();
  await official.backend.stop();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
