// Soak: a mixed load for a while against a real backend with this plugin and the 106 bench
// actions: tool lists, tool calls (some failing, some slow past the call timeout), legacy SSE
// sessions opening, calling and closing, and requests that are refused. Reports RSS over
// time, errors, and at the end the open sessions, calls in flight and credentials handles,
// which must all return to zero.
//
//   npm run soak -- [minutes=10] [concurrency=8]
//
// The backend runs in this process so its tables can be read; the load is loopback HTTP.
'use strict';

const { createBackend } = require('@backstage/backend-defaults');
const {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} = require('@backstage/backend-plugin-api');
const { actionsRegistryServiceRef } = require('@backstage/backend-plugin-api/alpha');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { SSEClientTransport } = require('@modelcontextprotocol/sdk/client/sse.js');
const { createServer } = require('node:net');
const { benchActionsPlugin } = require('./actionsPlugin');
const { TOKEN, benchConfig } = require('./server');

const slowPlugin = createBackendPlugin({
  pluginId: 'slow',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'wait',
          title: 'Wait',
          description: 'Answers after the given number of milliseconds.',
          schema: {
            input: z => z.object({ ms: z.number() }),
            output: z => z.object({ waited: z.number() }),
          },
          action: async ({ input }) => {
            await new Promise(resolve => setTimeout(resolve, input.ms));
            return { output: { waited: input.ms } };
          },
        });
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

const headers = {
  authorization: `Bearer ${TOKEN}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

async function main() {
  const minutes = Number(process.argv[2] ?? 10);
  const concurrency = Number(process.argv[3] ?? 8);
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'error';
  const { createMcpActionsPlugin } = require('../dist/plugin');
  const { CredentialsTable } = require('../dist/bridge/credentials');
  const credentials = new CredentialsTable();
  let probe;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = benchConfig(port, { mcpActions: { toolCallTimeout: 1 }, extraSources: ['slow'] });
  const backend = createBackend();
  backend.add(createServiceFactory({ service: coreServices.rootConfig, deps: {}, factory: () => config }));
  backend.add(createMcpActionsPlugin({ credentials, probe: p => (probe = p) }));
  backend.add(benchActionsPlugin);
  backend.add(slowPlugin);
  await backend.start();
  // The auditor writes every audit event to stdout; keep the report readable.
  const url = `${baseUrl}/api/mcp-actions/v1`;

  const counts = { list: 0, call: 0, toolError: 0, timeout: 0, refused: 0, sessions: 0, errors: 0 };
  const errors = new Map();
  const fail = what => {
    counts.errors += 1;
    errors.set(what, (errors.get(what) ?? 0) + 1);
  };
  const rpc = async (body, expectStatus = 200) => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== expectStatus) throw new Error(`status ${res.status}: ${text.slice(0, 120)}`);
    return text ? JSON.parse(text) : undefined;
  };
  const call = (name, args) =>
    rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });

  const mix = [
    async () => {
      const r = await rpc({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      if (r.result.tools.length !== 107) throw new Error(`list of ${r.result.tools.length}`);
      counts.list += 1;
    },
    async () => {
      const r = await call('bench.echo', { message: 'soak' });
      if (r.result.structuredContent?.message !== 'soak') throw new Error('echo');
      counts.call += 1;
    },
    async () => {
      const r = await call('bench.get-service', {});
      if (!r.result.isError) throw new Error('invalid input accepted');
      counts.toolError += 1;
    },
    async () => {
      const r = await call('slow.wait', { ms: 1500 });
      if (!r.result.isError || !r.result.content[0].text.startsWith('TimeoutError')) throw new Error('no timeout');
      counts.timeout += 1;
    },
    async () => {
      const res = await fetch(url, { method: 'POST', headers: { ...headers, authorization: 'Bearer wrong' }, body: '{}' });
      await res.text();
      if (res.status !== 401) throw new Error(`unauthenticated got ${res.status}`);
      counts.refused += 1;
    },
    async () => {
      const client = new Client({ name: 'soak', version: '1' });
      await client.connect(
        new SSEClientTransport(new URL(`${url}/sse`), {
          requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
          eventSourceInit: {
            fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, authorization: `Bearer ${TOKEN}` } }),
          },
        }),
      );
      const r = await client.callTool({ name: 'bench.echo', arguments: { message: 'sse' } });
      if (r.structuredContent?.message !== 'sse') throw new Error('sse echo');
      await client.close();
      counts.sessions += 1;
    },
  ];

  const started = Date.now();
  const until = started + minutes * 60_000;
  const rss = [];
  const sample = () => rss.push([Math.round((Date.now() - started) / 1000), process.memoryUsage().rss / 2 ** 20]);
  sample();
  const sampler = setInterval(sample, 30_000);
  let turn = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const i = turn++ % mix.length;
        let timer;
        try {
          // Nothing may hang: an operation that takes 30 s counts as an error.
          await Promise.race([
            mix[i](),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('no answer within 30 s')), 30_000);
            }),
          ]);
        } catch (error) {
          fail(`${['list', 'call', 'toolError', 'timeout', 'refused', 'sse'][i]}: ${error.message}`);
        } finally {
          clearTimeout(timer);
        }
      }
    }),
  );
  clearInterval(sampler);
  // Let timed-out actions finish and closed sessions go.
  await new Promise(resolve => setTimeout(resolve, 3000));
  sample();

  const endState = {
    sessions: probe.sessionCount(),
    openStreams: probe.openStreams(),
    callsInFlight: probe.callsInFlight(),
    handlesBesidesCache: credentials.size - probe.cachedCredentials(),
  };
  const stopping = Date.now();
  await backend.stop();
  endState.stopSeconds = Math.round((Date.now() - stopping) / 1000);
  // The engine hands the cache's handles back through `deliver`, asynchronously.
  await new Promise(resolve => setTimeout(resolve, 500));
  endState.handlesAfterStop = credentials.size;

  console.log(`\nsoak: ${minutes} min, concurrency ${concurrency}, node ${process.version}`);
  console.log('done:', JSON.stringify(counts));
  for (const [what, n] of errors) console.log(`  error ×${n}: ${what}`);
  console.log('RSS MiB over time:', rss.map(([s, m]) => `${s}s ${m.toFixed(0)}`).join(', '));
  console.log('end state:', JSON.stringify(endState));
  const { stopSeconds, ...left } = endState;
  const clean = Object.values(left).every(v => v === 0) && stopSeconds < 30;
  if (!clean || counts.errors > 0) {
    console.error('soak FAILED: errors, or something was left behind');
    process.exitCode = 1;
  }
  // A stopped Backstage backend still holds timers for minutes (with or without this
  // plugin): do not wait for them.
  process.exit();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
