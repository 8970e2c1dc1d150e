// Processes the benchmarks measure: a fresh Backstage backend per run (bench/server.js, or the
// demo backend), and what /proc says about its CPU and memory.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { createServer } = require('node:net');
const path = require('node:path');

function freePort() {
  return new Promise(resolve => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const TICK_SECONDS = 1 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** Seconds of CPU (user + system) the process has used, all its threads. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_SECONDS;
}

function rssMiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) / 1024;
}

/** A fresh backend process for one run. */
async function startBackend(target, ttl, env = {}) {
  const port = await freePort();
  const args = [path.join(__dirname, 'server.js'), target, String(port)];
  if (ttl !== undefined) args.push(String(ttl));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', chunk => {
      out += chunk;
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', code => reject(new Error(`${target} backend exited (${code}) before it was ready`)));
  });
  child.stdout.resume();
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise(resolve => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}


/** The demo backend as `npm run demo` starts it (dev/backend.js), with this static token. */
async function startDemo(token) {
  const port = await freePort();
  const child = spawn(process.execPath, ['backend.js', '--config', 'app-config.yaml'], {
    cwd: path.join(__dirname, '..', 'dev'),
    env: { ...process.env, PORT: String(port), MCP_DEMO_TOKEN: token, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', chunk => {
      out += chunk;
      if (out.includes('MCP endpoint:')) resolve();
    });
    child.once('exit', code => reject(new Error(`the demo exited (${code}) before it was ready`)));
  });
  child.stdout.resume();
  return {
    pid: child.pid,
    url: `http://localhost:${port}`,
    stop: () =>
      new Promise(resolve => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

module.exports = { freePort, cpuSeconds, rssMiB, startBackend, startDemo };
