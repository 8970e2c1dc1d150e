import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin, type McpActionsProbe } from '../plugin/plugin';
import { OTHER_TOKEN, STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { testActionsPlugin } from './support/testActionsPlugin';

// A corpus of malformed and hostile requests, each with the precise answer it must get;
// afterwards the backend still serves a normal call and holds nothing it should not.

let backend: RunningBackend;
let probe: McpActionsProbe;
const credentials = new CredentialsTable();

beforeAll(async () => {
  backend = await startBackend({
    features: [createMcpActionsPlugin({ credentials, probe: p => (probe = p) }), testActionsPlugin],
  });
});
afterAll(async () => {
  await backend?.stop();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One raw HTTP request: duplicate headers and any bytes allowed. */
function raw(options: {
  method?: string;
  path?: string;
  headers?: Array<[string, string]>;
  body?: string | Buffer;
}): Promise<Answer> {
  const url = new URL(backend.mcpUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path ?? url.pathname,
        // Raw headers (duplicates kept); then Node adds no Host header of its own.
        headers: [['host', url.host], ...(options.headers ?? [])].flat(),
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const AUTH: [string, string] = ['authorization', `Bearer ${STATIC_TOKEN}`];
const JSON_CT: [string, string] = ['content-type', 'application/json'];
const ACCEPT: [string, string] = ['accept', 'application/json, text/event-stream'];
const GOOD: Array<[string, string]> = [AUTH, JSON_CT, ACCEPT];

/** A POST of `body` (an object is serialized) with the good headers. */
const post = (body: unknown, headers: Array<[string, string]> = GOOD) =>
  raw({ body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), headers });

const rpc = (method: unknown, params?: unknown, id: unknown = 1) =>
  post({ jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) });

const call = (params: unknown) => rpc('tools/call', params);

interface Case {
  name: string;
  send: () => Promise<Answer>;
  status: number;
  /** The JSON-RPC error code of the (only) answer, when it is one. */
  code?: number;
  /** The whole error message, or a pattern for it. */
  message?: string | RegExp;
  /** The answer's `id`, when it matters. */
  id?: unknown;
  /** Answered with no body at all (by Backstage, before the plugin). */
  empty?: true;
}

const PARSE = -32700;
const INVALID_REQUEST = -32600;
const NO_METHOD = -32601;
const INVALID_PARAMS = -32602;

const cases: Case[] = [
  // Bad JSON.
  { name: 'empty body', send: () => post(''), status: 400, code: PARSE, message: /^Parse error/ },
  { name: 'unterminated object', send: () => post('{'), status: 400, code: PARSE, message: /^Parse error/ },
  { name: 'unterminated string', send: () => post('{"jsonrpc":"2.0'), status: 400, code: PARSE },
  { name: 'bare word', send: () => post('nul'), status: 400, code: PARSE },
  { name: 'trailing garbage', send: () => post('{"jsonrpc":"2.0","id":1,"method":"ping"} x'), status: 400, code: PARSE },
  { name: 'unterminated batch', send: () => post('[1,2'), status: 400, code: PARSE },
  { name: 'invalid UTF-8', send: () => post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), status: 400, code: PARSE },
  { name: 'NUL bytes', send: () => post(Buffer.from('\u0000\u0000')), status: 400, code: PARSE },
  { name: 'a JSON string', send: () => post('"ping"'), status: 400, code: INVALID_REQUEST },
  { name: 'a JSON number', send: () => post('42'), status: 400, code: INVALID_REQUEST },
  { name: 'JSON null', send: () => post('null'), status: 400, code: INVALID_REQUEST },
  // Deep nesting and huge strings.
  { name: 'arrays nested 100000 deep', send: () => post('['.repeat(100_000) + ']'.repeat(100_000)), status: 400, code: PARSE, message: /recursion limit/ },
  { name: 'params nested 10000 deep', send: () => post(`{"jsonrpc":"2.0","id":1,"method":"ping","params":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`), status: 400, code: PARSE, message: /recursion limit/ },
  { name: 'a 1 MB method name', send: () => rpc('x'.repeat(1_000_000)), status: 200, code: NO_METHOD, message: `Method not found: ${'x'.repeat(128)}…` },
  { name: 'a 1 MB tool name', send: () => call({ name: 'y'.repeat(1_000_000) }), status: 200, code: INVALID_PARAMS, message: `Unknown tool: ${'y'.repeat(128)}…` },
  { name: 'a 3 MB argument', send: () => call({ name: 'testing.echo', arguments: { message: 'z'.repeat(3_000_000) } }), status: 200 },
  { name: 'a 5 MB body', send: () => call({ name: 'testing.echo', arguments: { message: 'z'.repeat(5_000_000) } }), status: 413, code: INVALID_REQUEST, message: /^Payload Too Large/ },
  // Wrong types in every field.
  { name: 'jsonrpc "1.0"', send: () => post({ jsonrpc: '1.0', id: 1, method: 'ping' }), status: 400, code: INVALID_REQUEST, id: 1 },
  { name: 'jsonrpc 2', send: () => post({ jsonrpc: 2, id: 1, method: 'ping' }), status: 400, code: INVALID_REQUEST },
  { name: 'jsonrpc missing', send: () => post({ id: 1, method: 'ping' }), status: 400, code: INVALID_REQUEST },
  { name: 'id an object', send: () => post({ jsonrpc: '2.0', id: {}, method: 'ping' }), status: 400, code: INVALID_REQUEST, id: null },
  { name: 'id an array', send: () => post({ jsonrpc: '2.0', id: [1], method: 'ping' }), status: 400, code: INVALID_REQUEST, id: null },
  { name: 'id true', send: () => post({ jsonrpc: '2.0', id: true, method: 'ping' }), status: 400, code: INVALID_REQUEST, id: null },
  { name: 'method a number', send: () => post({ jsonrpc: '2.0', id: 1, method: 7 }), status: 400, code: INVALID_REQUEST },
  { name: 'method null', send: () => post({ jsonrpc: '2.0', id: 1, method: null }), status: 400, code: INVALID_REQUEST },
  { name: 'method missing', send: () => post({ jsonrpc: '2.0', id: 1 }), status: 400, code: INVALID_REQUEST },
  { name: 'params a string', send: () => rpc('tools/list', 'all'), status: 400, code: INVALID_REQUEST, message: 'Invalid Request: "params" must be an object or an array' },
  { name: 'params an array', send: () => rpc('tools/call', ['testing.echo']), status: 200, code: INVALID_PARAMS },
  { name: 'tool name a number', send: () => call({ name: 1 }), status: 200, code: INVALID_PARAMS, message: 'Invalid params: "name" must be a non-empty string' },
  { name: 'tool name empty', send: () => call({ name: '' }), status: 200, code: INVALID_PARAMS, message: 'Invalid params: "name" must be a non-empty string' },
  { name: 'tool name missing', send: () => call({}), status: 200, code: INVALID_PARAMS, message: 'Invalid params: missing tool name ("name")' },
  { name: 'arguments a string', send: () => call({ name: 'testing.echo', arguments: 'hi' }), status: 200, code: INVALID_PARAMS, message: 'Invalid params: "arguments" of tool "testing.echo" must be an object' },
  { name: 'arguments an array', send: () => call({ name: 'testing.echo', arguments: [] }), status: 200, code: INVALID_PARAMS },
  { name: 'arguments of the wrong shape', send: () => call({ name: 'testing.echo', arguments: { message: 5 } }), status: 200 },
  { name: 'cursor a number', send: () => rpc('tools/list', { cursor: 5 }), status: 200, code: INVALID_PARAMS, message: 'Invalid params: "cursor" must be a string' },
  { name: 'cursor not ours', send: () => rpc('tools/list', { cursor: 'zz' }), status: 200, code: INVALID_PARAMS },
  { name: 'protocolVersion a number', send: () => rpc('initialize', { protocolVersion: 2025, capabilities: {}, clientInfo: { name: 'x', version: '1' } }), status: 200 },
  // Every id type is answered with that id.
  { name: 'string id', send: () => rpc('ping', undefined, 'abc'), status: 200, id: 'abc' },
  { name: 'integer id', send: () => rpc('ping', undefined, 7), status: 200, id: 7 },
  { name: 'negative id', send: () => rpc('ping', undefined, -1), status: 200, id: -1 },
  { name: 'fractional id', send: () => rpc('ping', undefined, 1.5), status: 200, id: 1.5 },
  { name: 'huge integer id', send: () => post('{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}'), status: 200 },
  { name: 'empty string id', send: () => rpc('ping', undefined, ''), status: 200, id: '' },
  { name: 'null id', send: () => rpc('ping', undefined, null), status: 400, code: INVALID_REQUEST },
  // Unknown methods.
  { name: 'unknown method', send: () => rpc('foo/bar'), status: 200, code: NO_METHOD, message: 'Method not found: foo/bar' },
  { name: 'empty method', send: () => rpc(''), status: 200, code: NO_METHOD },
  { name: 'rpc.discover', send: () => rpc('rpc.discover'), status: 200, code: NO_METHOD },
  { name: 'prompts/list (not offered)', send: () => rpc('prompts/list'), status: 200, code: NO_METHOD },
  { name: 'a notification as a request', send: () => rpc('notifications/initialized'), status: 200, code: NO_METHOD },
  { name: 'an unknown notification', send: () => post({ jsonrpc: '2.0', method: 'notifications/whatever' }), status: 202 },
  // Batches of nonsense.
  { name: 'empty batch', send: () => post('[]'), status: 400, code: INVALID_REQUEST },
  { name: 'batch of numbers', send: () => post('[1,2,3]'), status: 200 },
  { name: 'batch of empty objects', send: () => post('[{},{}]'), status: 200 },
  { name: 'batch of nested batches', send: () => post('[[{"jsonrpc":"2.0","id":1,"method":"ping"}]]'), status: 200 },
  { name: 'batch of notifications only', send: () => post([{ jsonrpc: '2.0', method: 'notifications/initialized' }]), status: 202 },
  // Content types, and missing or duplicate headers.
  { name: 'text/plain body', send: () => rpcWith([AUTH, ACCEPT, ['content-type', 'text/plain']]), status: 415, message: 'Unsupported Media Type: Content-Type must be application/json, got "text/plain"' },
  { name: 'no content type', send: () => rpcWith([AUTH, ACCEPT]), status: 415, message: 'Unsupported Media Type: Content-Type must be application/json, got none' },
  { name: 'multipart body', send: () => rpcWith([AUTH, ACCEPT, ['content-type', 'multipart/form-data; boundary=x']]), status: 415 },
  { name: 'two content types', send: () => rpcWith([AUTH, ACCEPT, JSON_CT, ['content-type', 'text/plain']]), status: 200 },
  { name: 'Accept text/html', send: () => rpcWith([AUTH, JSON_CT, ['accept', 'text/html']]), status: 406 },
  { name: 'no Accept', send: () => rpcWith([AUTH, JSON_CT]), status: 200 },
  { name: 'unknown protocol version header', send: () => rpcWith([...GOOD, ['mcp-protocol-version', '1999-01-01']]), status: 400 },
  { name: 'two protocol version headers', send: () => rpcWith([...GOOD, ['mcp-protocol-version', '2025-06-18'], ['mcp-protocol-version', '2025-03-26']]), status: 400 },
  { name: 'X-MCP-Readonly maybe', send: () => rpcWith([...GOOD, ['x-mcp-readonly', 'maybe']]), status: 400 },
  { name: 'no Authorization', send: () => rpcWith([JSON_CT, ACCEPT]), status: 401 },
  { name: 'Authorization not Bearer', send: () => rpcWith([JSON_CT, ACCEPT, ['authorization', `Basic ${STATIC_TOKEN}`]]), status: 401 },
  // Node keeps the first of duplicate Authorization and Content-Type headers, for Backstage
  // and the engine alike.
  { name: 'two Authorization headers', send: () => rpcWith([JSON_CT, ACCEPT, AUTH, ['authorization', 'Bearer nonsense']]), status: 200 },
  { name: 'two Authorization headers, the first wrong', send: () => rpcWith([JSON_CT, ACCEPT, ['authorization', 'Bearer nonsense'], AUTH]), status: 401 },
  { name: 'a malformed JWT', send: () => rpcWith([JSON_CT, ACCEPT, ['authorization', 'Bearer eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln']]), status: 401 },
  { name: 'a foreign Origin', send: () => rpcWith([...GOOD, ['origin', 'https://evil.example']]), status: 403 },
  // Sessions that do not exist or are not the caller's.
  { name: 'legacy post without a session id', send: () => raw({ path: `${mcpPath()}/sse/messages`, headers: GOOD, body: ping }), status: 400 },
  { name: 'legacy post to a session that is not one', send: () => raw({ path: `${mcpPath()}/sse/messages?sessionId=${'ab'.repeat(20)}`, headers: GOOD, body: ping }), status: 404 },
  { name: 'legacy post with a malformed session id', send: () => raw({ path: `${mcpPath()}/sse/messages?sessionId=../../etc`, headers: GOOD, body: ping }), status: 404, code: -32001, message: 'Session not found: ../../etc does not exist or has expired; open a new session' },
  { name: 'legacy post with a 10000-character session id', send: () => raw({ path: `${mcpPath()}/sse/messages?sessionId=${'s'.repeat(10_000)}`, headers: GOOD, body: ping }), status: 404, message: `Session not found: ${'s'.repeat(128)}… does not exist or has expired; open a new session` },
  { name: 'legacy post with two session ids', send: () => raw({ path: `${mcpPath()}/sse/messages?sessionId=a&sessionId=b`, headers: GOOD, body: ping }), status: 400 },
  { name: 'Mcp-Session-Id on a stateless server', send: () => rpcWith([...GOOD, ['mcp-session-id', 'ab'.repeat(20)]]), status: 200 },
  { name: "another principal's session", send: () => othersSession(), status: 403 },
  // Path tricks.
  { name: 'unknown server', send: () => raw({ path: `${mcpPath()}/nope`, headers: GOOD, body: ping }), status: 404 },
  { name: 'server key in capitals', send: () => raw({ path: `${mcpPath()}/NOPE`, headers: GOOD, body: ping }), status: 404 },
  // Backstage's router answers this one (an empty 404): the plugin never sees it.
  { name: 'dot-dot segment', send: () => raw({ path: `${mcpPath()}/../v1`, headers: GOOD, body: ping }), status: 404, empty: true },
  { name: 'encoded dot-dot', send: () => raw({ path: `${mcpPath()}/%2e%2e`, headers: GOOD, body: ping }), status: 404 },
  { name: 'encoded NUL in the server key', send: () => raw({ path: `${mcpPath()}/a%00b`, headers: GOOD, body: ping }), status: 404 },
  { name: 'a 5000-character server key', send: () => raw({ path: `${mcpPath()}/${'k'.repeat(5000)}`, headers: GOOD, body: ping }), status: 404, message: `Not Found: there is no MCP server "${'k'.repeat(128)}…" (mcpActions.servers; none are configured)` },
  { name: 'PUT', send: () => raw({ method: 'PUT', headers: GOOD, body: ping }), status: 405 },
  { name: 'GET without a session (stateless)', send: () => raw({ method: 'GET', headers: [AUTH, ['accept', 'text/event-stream']] }), status: 405 },
  { name: 'DELETE (stateless)', send: () => raw({ method: 'DELETE', headers: [AUTH] }), status: 405 },
];

const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
const mcpPath = () => new URL(backend.mcpUrl).pathname;
const rpcWith = (headers: Array<[string, string]>) => raw({ headers, body: ping });

/** A legacy session opened with one token, posted to with another. */
async function othersSession(): Promise<Answer> {
  const url = new URL(`${backend.mcpUrl}/sse`);
  const { endpoint, close } = await new Promise<{ endpoint: string; close: () => void }>(
    (resolve, reject) => {
      const req = http.get(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { authorization: `Bearer ${STATIC_TOKEN}`, accept: 'text/event-stream' } },
        res => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const match = /data: (\S+)/.exec(chunk);
            if (match) resolve({ endpoint: match[1], close: () => req.destroy() });
          });
        },
      );
      req.on('error', reject);
    },
  );
  try {
    return await raw({ path: endpoint, headers: [['authorization', `Bearer ${OTHER_TOKEN}`], JSON_CT, ACCEPT], body: ping });
  } finally {
    close();
  }
}

function parsed(answer: Answer): any {
  const text = answer.text.startsWith('event:') ? answer.text.split('data: ')[1] : answer.text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

describe('a corpus of malformed and hostile requests', () => {
  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases.map(c => [c.name, c] as const))('%s', async (_, c) => {
    const answer = await c.send();
    expect(answer.status, answer.text.slice(0, 300)).toBe(c.status);
    const body = parsed(answer);
    if (c.empty) {
      expect(answer.text).toBe('');
    } else if ((answer.status !== 202 && answer.status !== 405) || body) {
      // Every answer with a body is JSON-RPC.
      expect(body, `${answer.text.slice(0, 300)} ${JSON.stringify(answer.headers)}`).toBeDefined();
      const messages = Array.isArray(body) ? body : [body];
      for (const m of messages) expect(m.jsonrpc).toBe('2.0');
    }
    if (c.code !== undefined) expect(body.error?.code, answer.text.slice(0, 300)).toBe(c.code);
    if (c.message !== undefined) {
      const message = body.error?.message;
      if (typeof c.message === 'string') expect(message).toBe(c.message);
      else expect(message).toMatch(c.message);
    }
    if (c.id !== undefined) expect(body.id).toEqual(c.id);
    // Never more than a little of the request quoted back.
    expect(answer.text.length).toBeLessThan(3_100_000);
  });

  it('leaves the backend serving normal calls, holding no handle but the cache’s', async () => {
    const answer = await call({ name: 'testing.echo', arguments: { message: 'still fine' } });
    expect(answer.status).toBe(200);
    expect(parsed(answer).result.structuredContent).toEqual({ echoed: 'still fine', length: 10 });
    expect(probe.sessionCount()).toBe(0);
    expect(probe.callsInFlight()).toBe(0);
    expect(credentials.size).toBe(probe.cachedCredentials());
  });
});
