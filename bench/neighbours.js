// What one caller flooding `tools/call` does to another, on this plugin, with and without a
// rate limit (mcpActions.rateLimits), and what a refusal costs against a served call.
//
//   npm run bench:neighbours -- [--duration 5] [--limit 50]
//
// Each scenario runs on a fresh backend (bench/server.js, 106 actions, LOG_LEVEL=warn). The
// neighbour (service:neighbour) calls bench.echo with 4 connections (autocannon) and is
// measured: p50 and req/s. The flooder (service:bench) runs beside it with 64 connections:
//   - alone:                 no flooder
//   - flood, no limit:       the flooder unlimited
//   - flood, limit, honours: a rule holds the flooder to --limit calls a second; its 64 clients
//                            wait data.retryAfterMs after each 429 (fetch loops)
//   - flood, limit, ignores: the same rule; the 64 clients send again at once (autocannon)
// Then the server's CPU per request at concurrency 16: a served call with usage off and no
// rule, with usage on (the default), with usage on and a matching rule that never refuses
// (the cost of recording and of checking a limit), and a refusal (over its limit).
'use strict';

const autocannon = require('autocannon');
const os = require('node:os');
const { TOKEN, NEIGHBOUR_TOKEN } = require('./server');
const { cpuSeconds, startBackend } = require('./backends');

const MCP = '/api/mcp-actions/v1';
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 5);
const LIMIT = arg('limit', 50);
const body = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'bench.echo', arguments: { message: 'hello' } },
});
const headers = token => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
});
const rule = limit => ({
  rateLimits: [{ name: 'flooder', principal: 'service:bench', limit, window: '1s' }],
});

const cannon = (url, token, connections, seconds = DURATION) =>
  autocannon({ url: url + MCP, method: 'POST', headers: headers(token), body, connections, duration: seconds });

/** 64 clients that wait `data.retryAfterMs` after a 429, until `stop` is set. */
async function politeFlood(url, stop) {
  const counts = { ok: 0, refused: 0 };
  const client = async () => {
    while (!stop.done) {
      const res = await fetch(url + MCP, { method: 'POST', headers: headers(TOKEN), body });
      const answer = await res.json();
      if (res.status === 429) {
        counts.refused += 1;
        await new Promise(r => setTimeout(r, answer.error.data.retryAfterMs));
      } else counts.ok += 1;
    }
  };
  const clients = Array.from({ length: 64 }, client);
  return { counts, done: () => Promise.all(clients) };
}

async function scenario(name, mcpActions, flood) {
  const backend = await startBackend('ours', undefined, { BENCH_MCP_ACTIONS: JSON.stringify(mcpActions) });
  try {
    await cannon(backend.url, NEIGHBOUR_TOKEN, 4, 1); // warm-up
    const stop = { done: false };
    let flooder;
    if (flood === 'rude') flooder = cannon(backend.url, TOKEN, 64, DURATION + 1);
    let polite;
    if (flood === 'polite') polite = await politeFlood(backend.url, stop);
    await new Promise(r => setTimeout(r, flood ? 500 : 0));
    const cpu0 = cpuSeconds(backend.pid);
    const measured = await cannon(backend.url, NEIGHBOUR_TOKEN, 4);
    const cpu = cpuSeconds(backend.pid) - cpu0;
    stop.done = true;
    const rude = flooder && (await flooder);
    if (polite) await polite.done();
    const floodNote = rude
      ? `flooder: ${Math.round(rude['2xx'] / (DURATION + 1))} served/s, ${Math.round(rude.non2xx / (DURATION + 1))} refused/s`
      : polite
        ? `flooder: ${polite.counts.ok} served, ${polite.counts.refused} refused`
        : '';
    return {
      name,
      p50: measured.latency.p50,
      rps: measured.requests.average,
      failed: measured.non2xx + measured.errors,
      cpuPerRequest: (cpu * 1000) / Math.max(1, measured.requests.total),
      floodNote,
    };
  } finally {
    await backend.stop();
  }
}

/** Server CPU per request of `token`'s calls at concurrency 16 (refused or served). */
async function cpuPer(name, mcpActions, token) {
  const backend = await startBackend('ours', undefined, { BENCH_MCP_ACTIONS: JSON.stringify(mcpActions) });
  try {
    await cannon(backend.url, token, 16, 1);
    const cpu0 = cpuSeconds(backend.pid);
    const r = await cannon(backend.url, token, 16);
    const cpu = cpuSeconds(backend.pid) - cpu0;
    return { name, rps: r.requests.average, cpuMs: (cpu * 1000) / r.requests.total, non2xx: r.non2xx, total: r.requests.total };
  } finally {
    await backend.stop();
  }
}

async function main() {
  console.log(`# ${os.cpus().length} × ${os.cpus()[0].model.trim()}, node ${process.version}; ${DURATION} s per scenario, flooder limit ${LIMIT}/s`);
  const rows = [
    await scenario('neighbour alone', {}, null),
    await scenario('flood, no limit', {}, 'rude'),
    await scenario(`flood, limit ${LIMIT}/s, client honours retryAfterMs`, rule(LIMIT), 'polite'),
    await scenario(`flood, limit ${LIMIT}/s, client ignores it`, rule(LIMIT), 'rude'),
  ];
  const alone = rows[0];
  console.log('\n| scenario | neighbour p50 ms | neighbour req/s | p50 vs alone | failed | flooder |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.p50} | ${Math.round(r.rps)} | ${(r.p50 / Math.max(alone.p50, 0.01)).toFixed(1)}× | ${r.failed} | ${r.floodNote} |`);
  }
  const served = await cpuPer('served call, usage off, no rule', { usage: { enabled: false } }, TOKEN);
  const recorded = await cpuPer('served call, usage on (the default), no rule', {}, TOKEN);
  const checked = await cpuPer('served call, usage on and a matching rule that never refuses', rule(1e9), TOKEN);
  const refused = await cpuPer('refusal (over its limit; usage on)', rule(1), TOKEN);
  console.log('\n| server CPU per request (c16) | ms | req/s | against a served call, both off |');
  console.log('|---|---|---|---|');
  for (const r of [served, recorded, checked, refused]) {
    console.log(`| ${r.name} | ${r.cpuMs.toFixed(3)} | ${Math.round(r.rps)} | ${(r.cpuMs / served.cpuMs).toFixed(2)}× |`);
  }
  if (refused.non2xx < refused.total * 0.95) throw new Error(`the refusal cell was not refused: ${refused.non2xx} of ${refused.total}`);
}

main().catch(error => {
  console.error(error.stack ?? error);
  process.exit(1);
});
