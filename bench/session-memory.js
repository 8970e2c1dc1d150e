// Idle legacy SSE sessions and memory: opens N sessions against the demo backend, reports
// the server's RSS per session, closes them, checks that the session table empties, and
// repeats, to show memory does not keep growing.
//
//   node --expose-gc bench/session-memory.js [sessions=10000] [cycles=2]
//
// The demo backend runs in this process (so its session table can be read); the clients
// run in a child process, so their sockets do not count against the server's memory.
'use strict';

const { fork } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const { createServer } = require('node:net');

const TOKEN = 'session-memory-token-0123456789';

if (process.argv[2] === '--clients') {
  runClients();
} else {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}

// ── client side (child process) ────────────────────────────────────────────
function runClients() {
  const sockets = [];
  process.on('message', async msg => {
    if (msg.open) {
      const { url, count } = msg.open;
      let opened = 0;
      let failed = 0;
      const openOne = () =>
        new Promise(resolve => {
          const req = http.get(
            url,
            { agent: false, headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'text/event-stream' } },
            res => {
              if (res.statusCode !== 200) {
                failed += 1;
                res.resume();
                resolve();
                return;
              }
              res.once('data', () => {
                opened += 1;
                sockets.push(req);
                resolve();
              });
            },
          );
          req.on('error', () => {
            failed += 1;
            resolve();
          });
        });
      const batch = 200;
      for (let i = 0; i < count; i += batch) {
        await Promise.all(Array.from({ length: Math.min(batch, count - i) }, openOne));
      }
      process.send({ opened, failed });
    }
    if (msg.close) {
      for (const req of sockets.splice(0)) req.destroy();
      process.send({ closed: true });
    }
    if (msg.exit) process.exit(0);
  });
}

// ── server side ────────────────────────────────────────────────────────────
function freePort() {
  return new Promise(resolve => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function rssMiB() {
  return process.memoryUsage().rss / 1024 / 1024;
}

function heapMiB() {
  const m = process.memoryUsage();
  return (m.heapUsed + m.external + m.arrayBuffers) / 1024 / 1024;
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    global.gc?.();
    await new Promise(r => setTimeout(r, 300));
  }
}

async function waitFor(check, ms) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise(r => setTimeout(r, 50));
  }
  return true;
}

function ask(child, msg, key) {
  return new Promise(resolve => {
    const onMessage = reply => {
      if (key in reply || 'opened' in reply) {
        child.off('message', onMessage);
        resolve(reply);
      }
    };
    child.on('message', onMessage);
    child.send(msg);
  });
}

async function main() {
  const count = Number(process.argv[2] ?? 10000);
  const cycles = Number(process.argv[3] ?? 2);
  if (!global.gc) console.warn('(run with --expose-gc for steadier numbers)');

  const port = await freePort();
  process.env.PORT = String(port);
  process.env.MCP_DEMO_TOKEN = TOKEN;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  process.env.APP_CONFIG_mcpActions_sessions_maxSessions = String(count * 2);
  process.env.APP_CONFIG_mcpActions_sessions_maxSessionsPerPrincipal = String(count * 2);
  const devDir = path.resolve(__dirname, '../dev');
  process.chdir(devDir);
  process.argv.splice(2, process.argv.length, '--config', path.join(devDir, 'app-config.yaml'));

  const { createDemoBackend } = require('../dev/backend');
  const { createMcpActionsPlugin } = require('../dist/plugin');
  let probe;
  const backend = createDemoBackend({
    mcpActionsPlugin: createMcpActionsPlugin({ probe: p => (probe = p) }),
  });
  await backend.start();

  const child = fork(__filename, ['--clients'], { stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}/api/mcp-actions/v1/sse`;

  // Warm up: one small cycle, so one-time allocations do not count as per-session cost.
  await ask(child, { open: { url, count: 100 } }, 'opened');
  await ask(child, { close: true }, 'closed');
  await waitFor(() => probe.sessionCount() === 0, 10_000);
  await settle();
  const baseline = rssMiB();
  console.log(`node ${process.version}, ${count} idle legacy SSE sessions per cycle`);
  console.log(`baseline RSS: ${baseline.toFixed(1)} MiB`);

  const results = [];
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const before = rssMiB();
    const heapBefore = heapMiB();
    const started = Date.now();
    const { opened, failed } = await ask(child, { open: { url, count } }, 'opened');
    await settle();
    const open = rssMiB();
    const heapPerSessionKiB = ((heapMiB() - heapBefore) * 1024) / Math.max(opened, 1);
    const sessions = probe.sessionCount();
    await ask(child, { close: true }, 'closed');
    const emptied = await waitFor(() => probe.sessionCount() === 0 && probe.openStreams() === 0, 30_000);
    await settle();
    const after = rssMiB();
    const perSessionKiB = ((open - before) * 1024) / Math.max(opened, 1);
    results.push({ cycle, opened, failed, sessions, perSessionKiB, after });
    console.log(
      `cycle ${cycle}: opened ${opened} (failed ${failed}) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `table held ${sessions}; RSS open ${open.toFixed(1)} MiB = ${perSessionKiB.toFixed(2)} KiB/session ` +
        `(JS heap ${heapPerSessionKiB.toFixed(2)} KiB); ` +
        `after close: table ${emptied ? 'empty' : `NOT empty (${probe.sessionCount()})`}, RSS ${after.toFixed(1)} MiB`,
    );
  }
  const growth = results[results.length - 1].after - results[0].after;
  console.log(
    `RSS after the last close vs after the first: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB ` +
      `(${Math.abs(growth) < 8 ? 'no growth across cycles' : 'GROWING'})`,
  );

  await ask(child, { exit: true }, 'never').catch(() => {});
  child.kill();
  await backend.stop();
  process.exit(results.every(r => r.failed === 0 && r.sessions === r.opened) ? 0 : 1);
}
