// Loads the addon through the generated loader (index.js: a local build beside it, the platform
// package, or NAPI_RS_NATIVE_LIBRARY_PATH), makes an engine and sends it one JSON-RPC ping.
//
//   node scripts/cross-load/ping.js [EXPECTED.node]
//
// Exits 1 unless the loader loaded exactly EXPECTED (default: NAPI_RS_NATIVE_LIBRARY_PATH;
// without either, any one .node) and the answer is exactly {"jsonrpc":"2.0","id":7,"result":{}}.
// The file check matters: the loader falls back to other candidates, and a fallback that
// happens to work (the host's own dev build) must not pass for the binary under test.
const path = require('node:path');

const fail = message => {
  console.error(`FAILED: ${message}`);
  process.exit(1);
};

const { McpEngine } = require(path.join(__dirname, '../../index.js'));

const loaded = Object.keys(require.cache).filter(f => f.endsWith('.node'));
const wanted = process.argv[2] || process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
if (loaded.length !== 1) fail(`the loader loaded ${loaded.length} .node files: ${loaded.join(', ')}`);
if (wanted && loaded[0] !== path.resolve(wanted)) {
  fail(`the loader loaded ${loaded[0]}, not ${path.resolve(wanted)}`);
}

const engine = new McpEngine(
  { config: JSON.stringify({ version: '0.0.0-load-check', pluginSources: [] }) },
  async () => ({ json: '{"actions":[]}' }),
  async () => ({ json: '{}' }),
  () => {},
  () => {},
);
engine
  .handlePost({
    credentials: 1,
    ticket: 1,
    principal: 'user:default/load-check',
    accept: 'application/json, text/event-stream',
    contentType: 'application/json',
    body: Buffer.from('{"jsonrpc":"2.0","id":7,"method":"ping"}'),
  })
  .then(answer => {
    const expected = '{"jsonrpc":"2.0","id":7,"result":{}}';
    const glibc = process.report.getReport().header.glibcVersionRuntime;
    const libc = process.platform === 'linux' ? (glibc ? ` glibc ${glibc}` : ' musl') : '';
    const line =
      `${process.platform}-${process.arch}${libc}, Node ${process.version}, ` +
      `${path.basename(loaded[0])}: HTTP ${answer.status} ${answer.body}`;
    if (answer.status !== 200 || answer.body !== expected) {
      fail(`ping on ${line} (expected 200 ${expected})`);
    }
    console.log(`ping answered on ${line}`);
    engine.shutdown();
  }, err => fail(`handlePost rejected: ${err && err.stack ? err.stack : err}`));
