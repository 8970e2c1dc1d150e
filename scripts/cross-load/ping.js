// Loads the addon through the generated loader (index.js: a local build beside it, the platform
// package, or NAPI_RS_NATIVE_LIBRARY_PATH), makes an engine and sends it one JSON-RPC ping.
// Exits 1 unless the answer is exactly {"jsonrpc":"2.0","id":7,"result":{}}.
const path = require('node:path');

const { McpEngine } = require(path.join(__dirname, '../../index.js'));
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
    const line = `${process.platform}-${process.arch}${libc}, Node ${process.version}: HTTP ${answer.status} ${answer.body}`;
    if (answer.status !== 200 || answer.body !== expected) {
      console.error(`ping FAILED on ${line} (expected 200 ${expected})`);
      process.exit(1);
    }
    console.log(`ping answered on ${line}`);
    engine.shutdown();
  });
