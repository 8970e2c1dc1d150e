// What an agent pays for the tools: the tool definitions a client puts into the model's
// context on every turn, in bytes and in tokens (js-tiktoken, o200k_base), with
// toolDiscovery `all` and `search`, for the demo's tools, the 106 bench actions and 1,000
// generated ones; what finding and describing one tool costs in search mode; and the time and
// CPU of search_tools over 1,000 actions, against a tools/list of them.
//
//   npm run bench:context [-- --duration 5]      (also printed at the end of `npm run bench`)
'use strict';

const autocannon = require('autocannon');
const { getEncoding } = require('js-tiktoken');
const { TOKEN } = require('./server');
const { cpuSeconds, startBackend, startDemo } = require('./backends');

const DEMO_TOKEN = 'bench-demo-token-0123456789';
const MCP = '/api/mcp-actions/v1';
const encoding = getEncoding('o200k_base');

const headers = (token, tools) => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
  'x-mcp-tools': tools,
});

async function rpc(url, token, tools, method, params) {
  const res = await fetch(`${url}${MCP}`, {
    method: 'POST',
    headers: headers(token, tools),
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (!body.result) throw new Error(`${method} failed: ${JSON.stringify(body).slice(0, 300)}`);
  return body.result;
}

/** Bytes and tokens of a JSON value as a client hands it to the model. */
function size(value) {
  const text = JSON.stringify(value);
  return { bytes: Buffer.byteLength(text), tokens: encoding.encode(text).length };
}

/** Every tool of a list, following nextCursor (a client reads every page). */
async function allPages(url, token, tools) {
  const out = [];
  let cursor;
  do {
    const page = await rpc(url, token, tools, 'tools/list', cursor ? { cursor } : undefined);
    out.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** What one set of tools costs: every turn, and for search mode one find-and-describe. */
async function costs(url, token, query) {
  const all = await allPages(url, token, 'all');
  const search = await allPages(url, token, 'search');
  const found = await rpc(url, token, 'search', 'tools/call', { name: 'search_tools', arguments: { query } });
  const top = found.structuredContent.tools[0].name;
  const described = await rpc(url, token, 'search', 'tools/call', {
    name: 'describe_tools',
    arguments: { names: [top] },
  });
  return {
    count: all.length,
    all: size(all),
    search: size(search),
    lookup: size([found.content, described.content]),
    top,
  };
}

/** req/s, p50, p99 and server CPU per request of one request, closed loop at concurrency 16. */
async function load(backend, body, seconds, tools = 'search') {
  const request = {
    url: `${backend.url}${MCP}`,
    method: 'POST',
    headers: headers(TOKEN, tools),
    body: JSON.stringify(body),
    connections: 16,
  };
  await autocannon({ ...request, duration: Math.min(2, seconds) });
  const before = cpuSeconds(backend.pid);
  const result = await autocannon({ ...request, duration: seconds });
  const cpu = cpuSeconds(backend.pid) - before;
  const ok = result['2xx'];
  return {
    rps: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMs: (cpu * 1000) / ok,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const thousands = x => x.toLocaleString('en-US');

/** The context table (markdown), measured now. */
async function contextTable({ duration = 5 } = {}) {
  const rows = [];
  const demo = await startDemo(DEMO_TOKEN);
  try {
    rows.push(['the demo', await costs(demo.url, DEMO_TOKEN, 'query catalog entities')]);
  } finally {
    await demo.stop();
  }
  for (const count of [106, 1000]) {
    const backend = await startBackend('ours', undefined, { BENCH_ACTIONS: String(count) });
    try {
      const name = count === 106 ? 'the bench actions' : 'generated actions';
      rows.push([name, await costs(backend.url, TOKEN, 'restart deployment')]);
      if (count === 1000) {
        const search = await load(
          backend,
          { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_tools', arguments: { query: 'restart deployment' } } },
          duration,
        );
        const list = await load(backend, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, duration, 'all');
        rows.timing = { search, list };
      }
    } finally {
      await backend.stop();
    }
  }
  const lines = [
    '| tools | mode | definitions, bytes | tokens (o200k_base) | search / all | one search + describe, tokens |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const [name, c] of rows) {
    lines.push(`| ${name} (${thousands(c.count)}) | all | ${thousands(c.all.bytes)} | ${thousands(c.all.tokens)} | | |`);
    lines.push(
      `| ${name} (${thousands(c.count)}) | search | ${thousands(c.search.bytes)} | ${thousands(c.search.tokens)} | ${fmt(c.search.tokens / c.all.tokens, 3)} | ${thousands(c.lookup.tokens)} (found ${c.top}) |`,
    );
  }
  const { search, list } = rows.timing;
  lines.push(
    '',
    `Over 1,000 actions, concurrency 16, ${duration} s (the caller's tool list cached, as by default; its search index is kept with it):`,
    '',
    '| request | req/s | p50 ms | p99 ms | CPU ms/req | failed |',
    '|---|---:|---:|---:|---:|---:|',
    `| search_tools "restart deployment" | ${fmt(search.rps)} | ${fmt(search.p50, 1)} | ${fmt(search.p99, 1)} | ${fmt(search.cpuMs, 2)} | ${search.failed} |`,
    `| tools/list (all mode, the first page: 500 definitions) | ${fmt(list.rps)} | ${fmt(list.p50, 1)} | ${fmt(list.p99, 1)} | ${fmt(list.cpuMs, 2)} | ${list.failed} |`,
  );
  // The bound tool search is for: at most a tenth of all mode's tokens for the bench actions.
  const bench = rows.find(([name]) => name === 'the bench actions')[1];
  const bound = bench.search.tokens <= bench.all.tokens / 10 ? 0 : 1;
  if (bound) console.error(`search mode costs ${bench.search.tokens} tokens against ${bench.all.tokens} in all mode: over a tenth`);
  return { markdown: lines.join('\n'), rows, failed: search.failed + list.failed + bound };
}

module.exports = { contextTable };

if (require.main === module) {
  const i = process.argv.indexOf('--duration');
  const duration = i > 0 ? Number(process.argv[i + 1]) : 5;
  contextTable({ duration })
    .then(({ markdown, failed }) => {
      console.log(`## What an agent pays for the tools\n\n${markdown}`);
      if (failed > 0) process.exitCode = 1;
    })
    .catch(error => {
      console.error(error);
      process.exit(1);
    });
}
