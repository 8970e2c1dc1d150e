// Side-by-side benchmark: this plugin, the official @backstage/plugin-mcp-actions-backend and
// the actions registry's own endpoints (the floor), each in a fresh Backstage backend process
// per run with the same 106 actions, static token and log level, driven by a closed-loop
// load generator (autocannon) over loopback. Prints a table (req/s, p50/p99, server CPU per
// request from /proc, RSS) and the ratios as min/median/max over runs, then the targets.
//
//   npm run bench -- [--runs 3] [--duration 5] [--warmup 2] [--concurrency 16,64] [--json out.json]
//   npm run bench -- --smoke        (one short run at concurrency 16: does everything work?)
//   npm run bench -- --only 'tools/call'   (only the cells whose "mode server" contains this;
//                                            prints their rows, no ratios)
//
// Cells: tools/call and tools/list in the legacy era (ours, the official plugin, the
// registry's own endpoint as the floor) and as 2026-07-28 requests (ours; the official plugin
// cannot speak it), and an "agent turn": connect, list, call once. A tools/call is two
// Backstage requests (the MCP route, then the registry's invoke), so its real floor is the
// registry invoke plus a bare plugin route (httpAuth, one auditor event, a small JSON answer):
// the "two-request floor" row adds their CPU per request and their time per request (req/s
// of both in sequence: 1 / (1/a + 1/b)), run by run. Legacy turn: initialize,
// notifications/initialized, tools/list, tools/call (ours and the official plugin); 2026-07-28
// turn: tools/list, tools/call (ours). Turn rows count complete turns per second and CPU per
// turn; latencies are per request. Last, the context table of bench/context.js: what the
// tool definitions cost a model in tokens, in all and in search mode.
'use strict';

const autocannon = require('autocannon');
const { writeFileSync } = require('node:fs');
const os = require('node:os');
const { TOKEN } = require('./server');
const { cpuSeconds, rssMiB, startBackend } = require('./backends');
const { contextTable } = require('./context');
const { BENCH_ACTION_COUNT } = require('./actionsPlugin');

const MCP_HEADERS = {
  authorization: `Bearer ${TOKEN}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};
const REGISTRY = '/api/bench/.backstage/actions/v1/actions';
const TWO_REQUEST_FLOOR = 'two-request floor (bare route + invoke, computed)';
const MCP = '/api/mcp-actions/v1';

const call = {
  method: 'POST',
  path: MCP,
  headers: MCP_HEADERS,
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'bench.echo', arguments: { message: 'hello' } },
  }),
  expect: text => text.includes('hello') && text.includes('"result"') && !text.includes('"isError":true'),
};
const list = {
  method: 'POST',
  path: MCP,
  headers: MCP_HEADERS,
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  expect: text => (text.match(/"inputSchema"/g) ?? []).length === BENCH_ACTION_COUNT,
};

// 2026-07-28: the envelope in `_meta`, the method (and tool) repeated in standard headers.
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
};
const modernHeaders = (method, name) => ({
  ...MCP_HEADERS,
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': method,
  ...(name && { 'mcp-name': name }),
});
const modernCall = {
  method: 'POST',
  path: MCP,
  headers: modernHeaders('tools/call', 'bench.echo'),
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'bench.echo', arguments: { message: 'hello' }, _meta: ENVELOPE },
  }),
  expect: text => call.expect(text) && text.includes('"resultType":"complete"'),
};
const modernList = {
  method: 'POST',
  path: MCP,
  headers: modernHeaders('tools/list'),
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: ENVELOPE } }),
  expect: text => list.expect(text) && text.includes('"cacheScope":"private"'),
};

// An agent turn: what a client does to connect, list the tools and call one. Legacy clients
// (and the official plugin) need the handshake first; 2026-07-28 clients do not.
const { 'mcp-protocol-version': _, ...initializeHeaders } = MCP_HEADERS;
const legacyTurn = [
  {
    method: 'POST',
    path: MCP,
    headers: initializeHeaders,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
    }),
    expect: text => text.includes('"protocolVersion":"2025-06-18"'),
  },
  {
    method: 'POST',
    path: MCP,
    headers: MCP_HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    status: 202,
    expect: text => text === '',
  },
  list,
  call,
];
const modernTurn = [modernList, modernCall];

/** What is measured: one mode, one backend, one request (or a sequence: `steps`). */
const CELLS = [
  { mode: 'tools/call', who: 'ours', target: 'ours', request: call },
  { mode: 'tools/call', who: 'official', target: 'official', request: call },
  {
    mode: 'tools/call',
    who: 'floor (registry invoke)',
    target: 'floor',
    request: {
      method: 'POST',
      path: `${REGISTRY}/${encodeURIComponent('bench:echo')}/invoke`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello' }),
      expect: text => text === '{"output":{"message":"hello"}}',
    },
  },
  {
    mode: 'tools/call',
    who: 'floor (bare plugin route)',
    target: 'floor',
    request: {
      method: 'POST',
      path: '/api/bench/bare',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello' }),
      expect: text => text === '{"message":"hello","principal":"service"}',
    },
  },
  { mode: 'tools/call', who: 'ours, 2026-07-28', target: 'ours', request: modernCall },
  { mode: 'tools/list', who: 'ours, cache on', target: 'ours', request: list },
  { mode: 'tools/list', who: 'ours, 2026-07-28', target: 'ours', request: modernList },
  { mode: 'tools/list', who: 'ours, cache off', target: 'ours', ttl: 0, request: list },
  { mode: 'tools/list', who: 'official', target: 'official', request: list },
  {
    mode: 'tools/list',
    who: 'registry list',
    target: 'floor',
    request: {
      method: 'GET',
      path: REGISTRY,
      headers: { authorization: `Bearer ${TOKEN}` },
      expect: text => JSON.parse(text).actions.length === BENCH_ACTION_COUNT,
    },
  },
  { mode: 'agent turn', who: 'ours, legacy (4 POSTs)', target: 'ours', steps: legacyTurn },
  { mode: 'agent turn', who: 'ours, 2026-07-28 (2 POSTs)', target: 'ours', steps: modernTurn },
  { mode: 'agent turn', who: 'official, legacy (4 POSTs)', target: 'official', steps: legacyTurn },
];

function options(argv) {
  const o = { runs: 3, duration: 5, warmup: 2, concurrency: [16, 64], json: undefined, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--smoke') Object.assign(o, { runs: 1, duration: 1, warmup: 0.5, concurrency: [16] });
    else if (flag === '--runs') (o.runs = Number(value)), i++;
    else if (flag === '--duration') (o.duration = Number(value)), i++;
    else if (flag === '--warmup') (o.warmup = Number(value)), i++;
    else if (flag === '--concurrency') (o.concurrency = value.split(',').map(Number)), i++;
    else if (flag === '--json') (o.json = value), i++;
    else if (flag === '--only') (o.only = value), i++;
    else throw new Error(`unknown option ${flag}; see the header of bench/run.js`);
  }
  return o;
}

/** The requests of a cell, in order (one, or the steps of a turn). */
const stepsOf = cell => cell.steps ?? [cell.request];

function load(url, steps, connections, seconds) {
  // Each connection sends the steps in order, again and again.
  const strip = ({ method, path, headers, body }) => ({ method, path, headers, body });
  return autocannon({
    url: `${url}${steps[0].path}`,
    ...(steps.length === 1 ? strip(steps[0]) : { requests: steps.map(strip) }),
    connections,
    duration: seconds,
  });
}

/** One run of one cell on its own fresh backend. */
async function measure(cell, connections, o) {
  const backend = await startBackend(cell.target, cell.ttl);
  try {
    const steps = stepsOf(cell);
    for (const request of steps) {
      const res = await fetch(`${backend.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      const text = await res.text();
      if (res.status !== (request.status ?? 200) || !request.expect(text)) {
        throw new Error(`${cell.who} ${cell.mode}: unexpected answer ${res.status}: ${text.slice(0, 300)}`);
      }
    }
    await load(backend.url, steps, connections, o.warmup);
    const cpuBefore = cpuSeconds(backend.pid);
    const result = await load(backend.url, steps, connections, o.duration);
    const cpu = cpuSeconds(backend.pid) - cpuBefore;
    // For a turn: complete turns (every one of its requests answered 2xx).
    const ok = result['2xx'] / steps.length;
    return {
      rps: ok / o.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuMs: ok > 0 ? (cpu * 1000) / ok : NaN,
      rssMiB: rssMiB(backend.pid),
      failed: result.non2xx + result.errors + result.timeouts,
    };
  } finally {
    await backend.stop();
  }
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = xs => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

async function main() {
  const o = options(process.argv.slice(2));
  const cpus = os.cpus();
  console.log(
    `# ${cpus.length} × ${cpus[0]?.model?.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  console.log(
    `# ${BENCH_ACTION_COUNT} actions, static token, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'warn'}; ` +
      `${o.runs} runs × ${o.duration} s (after ${o.warmup} s warm-up) per cell, fresh backend per run, cells interleaved`,
  );
  const results = new Map(); // `${c}|${cell index}` → run results
  for (let run = 0; run < o.runs; run++) {
    for (const connections of o.concurrency) {
      // Rotate the order each run so drift does not always favour the same cell.
      for (let k = 0; k < CELLS.length; k++) {
        const index = (k + run) % CELLS.length;
        const cell = CELLS[index];
        if (o.only && !`${cell.mode} ${cell.who}`.includes(o.only)) continue;
        const r = await measure(cell, connections, o);
        const key = `${connections}|${index}`;
        results.set(key, [...(results.get(key) ?? []), r]);
        process.stderr.write(
          `run ${run + 1}/${o.runs} c=${connections} ${cell.mode} ${cell.who}: ${fmt(r.rps)} req/s, p99 ${fmt(r.p99)} ms, ${fmt(r.cpuMs, 2)} ms CPU/req${r.failed ? `, ${r.failed} FAILED` : ''}\n`,
        );
      }
    }
  }

  if (o.only) return;
  const runsOf = (connections, who, mode) =>
    results.get(`${connections}|${CELLS.findIndex(c => c.who === who && c.mode === mode)}`);
  /** Run-by-run ratio of two cells named by [mode, who]. */
  const ratioOf = (connections, [modeA, a], [modeB, b], field = 'rps') => {
    const as = runsOf(connections, a, modeA);
    const bs = runsOf(connections, b, modeB);
    return spread(as.map((x, i) => x[field] / bs[i][field]));
  };
  const ratio = (connections, mode, a, b, field = 'rps') =>
    ratioOf(connections, [mode, a], [mode, b], field);
  /** Run by run: the bare route and the registry invoke, one after the other. */
  const twoRequestFloor = connections => {
    const bare = runsOf(connections, 'floor (bare plugin route)', 'tools/call');
    const invoke = runsOf(connections, 'floor (registry invoke)', 'tools/call');
    return bare.map((b, i) => ({
      rps: 1 / (1 / b.rps + 1 / invoke[i].rps),
      p50: b.p50 + invoke[i].p50,
      p99: NaN,
      cpuMs: b.cpuMs + invoke[i].cpuMs,
      rssMiB: NaN,
      failed: 0,
    }));
  };
  /** Run-by-run ratio of a cell to the two-request floor. */
  const overFloor = (connections, who, field) => {
    const floor = twoRequestFloor(connections);
    return spread(runsOf(connections, who, 'tools/call').map((x, i) => x[field] / floor[i][field]));
  };
  const summary = { options: o, cells: [], ratios: [] };
  for (const connections of o.concurrency) {
    console.log(`\n## concurrency ${connections} (medians over ${o.runs} runs)\n`);
    console.log('| mode | server | req/s (turns/s) | p50 ms | p99 ms | CPU ms/req (/turn) | RSS MiB | failed |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|');
    const rows = CELLS.map((cell, index) => ({ cell, rs: results.get(`${connections}|${index}`) }));
    const floorAt = rows.findIndex(({ cell }) => cell.who === 'floor (bare plugin route)') + 1;
    rows.splice(floorAt, 0, { cell: { mode: 'tools/call', who: TWO_REQUEST_FLOOR }, rs: twoRequestFloor(connections) });
    for (const { cell, rs } of rows) {
      const m = field => median(rs.map(r => r[field]));
      const row = { connections, mode: cell.mode, who: cell.who, rps: m('rps'), p50: m('p50'), p99: m('p99'), cpuMs: m('cpuMs'), rssMiB: m('rssMiB'), failed: rs.reduce((n, r) => n + r.failed, 0) };
      summary.cells.push(row);
      console.log(
        `| ${cell.mode} | ${cell.who} | ${fmt(row.rps)} | ${fmt(row.p50, 1)} | ${fmt(row.p99, 1)} | ${fmt(row.cpuMs, 2)} | ${fmt(row.rssMiB)} | ${row.failed} |`,
      );
    }
    const ratios = [
      ['tools/call req/s, ours / official', ratio(connections, 'tools/call', 'ours', 'official')],
      ['tools/call req/s, ours / floor', ratio(connections, 'tools/call', 'ours', 'floor (registry invoke)')],
      ['tools/call req/s, ours / two-request floor', overFloor(connections, 'ours', 'rps')],
      ['tools/call CPU/req, ours / two-request floor', overFloor(connections, 'ours', 'cpuMs')],
      ['tools/call req/s, ours 2026-07-28 / two-request floor', overFloor(connections, 'ours, 2026-07-28', 'rps')],
      ['tools/call CPU/req, ours 2026-07-28 / two-request floor', overFloor(connections, 'ours, 2026-07-28', 'cpuMs')],
      ['tools/call CPU/req, official / two-request floor', overFloor(connections, 'official', 'cpuMs')],
      ['tools/call p99, ours / official', ratio(connections, 'tools/call', 'ours', 'official', 'p99')],
      ['tools/list req/s, cache on / official', ratio(connections, 'tools/list', 'ours, cache on', 'official')],
      ['tools/list req/s, cache off / official', ratio(connections, 'tools/list', 'ours, cache off', 'official')],
      ['tools/list req/s, cache off / registry list', ratio(connections, 'tools/list', 'ours, cache off', 'registry list')],
      ['tools/call req/s, ours 2026-07-28 / official', ratioOf(connections, ['tools/call', 'ours, 2026-07-28'], ['tools/call', 'official'])],
      ['tools/list req/s, ours 2026-07-28 / official', ratioOf(connections, ['tools/list', 'ours, 2026-07-28'], ['tools/list', 'official'])],
      ['tools/call req/s, ours 2026-07-28 / ours legacy', ratioOf(connections, ['tools/call', 'ours, 2026-07-28'], ['tools/call', 'ours'])],
      ['agent turns/s, ours legacy / official', ratio(connections, 'agent turn', 'ours, legacy (4 POSTs)', 'official, legacy (4 POSTs)')],
      ['agent turns/s, ours 2026-07-28 / official', ratio(connections, 'agent turn', 'ours, 2026-07-28 (2 POSTs)', 'official, legacy (4 POSTs)')],
      ['CPU per agent turn, official / ours 2026-07-28', ratio(connections, 'agent turn', 'official, legacy (4 POSTs)', 'ours, 2026-07-28 (2 POSTs)', 'cpuMs')],
    ];
    console.log('\n| ratio | min | median | max |');
    console.log('|---|---:|---:|---:|');
    for (const [name, r] of ratios) {
      summary.ratios.push({ connections, name, ...r });
      console.log(`| ${name} | ${fmt(r.min, 2)} | ${fmt(r.median, 2)} | ${fmt(r.max, 2)} |`);
    }
  }

  const at16 = o.concurrency.includes(16) ? 16 : o.concurrency[0];
  const r = name => summary.ratios.find(x => x.connections === at16 && x.name === name).median;
  const cpu = summary.cells.find(x => x.connections === at16 && x.mode === 'tools/call' && x.who === 'ours').cpuMs;
  const targets = [
    ['tools/call req/s ≥ 13× official', r('tools/call req/s, ours / official'), v => v >= 13],
    ['tools/call req/s ≥ 0.4× floor', r('tools/call req/s, ours / floor'), v => v >= 0.4],
    ['tools/call p99 ≤ 1/10 of official', r('tools/call p99, ours / official'), v => v <= 0.1],
    ['tools/list (cache on) ≥ 10× official', r('tools/list req/s, cache on / official'), v => v >= 10],
    ['tools/list (cache off) ≥ 0.9× registry list', r('tools/list req/s, cache off / registry list'), v => v >= 0.9],
    ['server CPU per tools/call ≤ 1 ms', cpu, v => v <= 1],
  ];
  console.log(`\n## targets (medians at concurrency ${at16})\n`);
  console.log('| target | measured | |');
  console.log('|---|---:|---|');
  for (const [name, value, ok] of targets) {
    console.log(`| ${name} | ${fmt(value, 2)} | ${ok(value) ? 'met' : 'MISSED'} |`);
  }
  const context = await contextTable({ duration: o.duration });
  console.log(`\n## What an agent pays for the tools\n\n${context.markdown}`);
  summary.context = context.rows;
  if (o.json) writeFileSync(o.json, `${JSON.stringify(summary, null, 2)}\n`);
  const failed = summary.cells.reduce((n, c) => n + c.failed, 0) + context.failed;
  if (failed > 0) {
    console.error(`\n${failed} requests failed: the numbers above are not comparable`);
    process.exitCode = 1;
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
