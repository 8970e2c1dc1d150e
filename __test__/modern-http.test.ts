import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { modernActionsPlugin } from './support/modernActionsPlugin';
import { testActionsPlugin } from './support/testActionsPlugin';

// MCP 2026-07-28 with plain `fetch`, over real HTTP to a real backend: every refusal with its
// exact status, JSON-RPC code and request id, the result frame, log events, 202s and 405s.

let backend: RunningBackend;

beforeAll(async () => {
  backend = await startBackend({
    features: [mcpActionsPlugin, testActionsPlugin, modernActionsPlugin],
    config: {
      backend: { actions: { pluginSources: ['testing', 'modern'] } },
      mcpActions: { name: 'backstage-http', cache: { toolListTtl: 2 } },
    },
  });
});
afterAll(async () => {
  await backend?.stop();
});

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'fetch', version: '1' },
};

/** A request body: `meta` replaces the envelope's keys (undefined drops one). */
function body(id: unknown, method: string, params: object = {}, meta: object = {}) {
  const merged = Object.fromEntries(
    Object.entries({ ...ENVELOPE, ...meta }).filter(([, v]) => v !== undefined),
  );
  return { jsonrpc: '2.0', id, method, params: { ...params, _meta: merged } };
}

/** The standard headers for `method` (and `name`); `extra` overrides (undefined drops one). */
function headers(method: string, name?: string, extra: Record<string, string | undefined> = {}) {
  const all: Record<string, string | undefined> = {
    Authorization: `Bearer ${STATIC_TOKEN}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'MCP-Protocol-Version': '2026-07-28',
    'Mcp-Method': method,
    ...(name !== undefined && { 'Mcp-Name': name }),
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

async function post(payload: unknown, hdrs: Record<string, string>, path = '') {
  const res = await fetch(`${backend.mcpUrl}${path}`, {
    method: 'POST',
    headers: hdrs,
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text };
}

async function refusal(payload: unknown, hdrs: Record<string, string>, path = '') {
  const { status, text } = await post(payload, hdrs, path);
  const json = JSON.parse(text);
  return { status, id: json.id, code: json.error?.code, message: json.error?.message, data: json.error?.data };
}

const call = (id: unknown, meta: object = {}) =>
  body(id, 'tools/call', { name: 'testing.echo', arguments: { message: 'hi' } }, meta);

describe('2026-07-28 results', () => {
  it('server/discover names the server, every revision and the capabilities', async () => {
    const { status, text } = await post(body('d', 'server/discover'), headers('server/discover'));
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({
      jsonrpc: '2.0',
      id: 'd',
      result: {
        resultType: 'complete',
        supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
        capabilities: {
          tools: { listChanged: true },
          logging: {},
          resources: {},
          extensions: {
            'io.modelcontextprotocol/tasks': {},
            'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] },
          },
        },
        ttlMs: 2000,
        cacheScope: 'public',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'backstage-http', version: '0.1.0' } },
      },
    });
  });

  it('tools/list is private to the caller, with the cache TTL; legacy lists carry neither', async () => {
    const modern = JSON.parse((await post(body(1, 'tools/list'), headers('tools/list'))).text);
    expect(modern.result).toMatchObject({ resultType: 'complete', ttlMs: 2000, cacheScope: 'private' });
    expect(modern.result.tools).toHaveLength(8);
    const legacy = JSON.parse(
      (await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, headers('tools/list', undefined, {
        'MCP-Protocol-Version': '2025-06-18',
        'Mcp-Method': undefined,
      }))).text,
    );
    expect(legacy.result.tools).toEqual(modern.result.tools);
    expect(Object.keys(legacy.result)).toEqual(['tools']);
  });

  it('tools/call carries structuredContent of any JSON; log events only when asked', async () => {
    const colours = body(2, 'tools/call', { name: 'modern.colours', arguments: {} });
    const plain = await post(colours, headers('tools/call', 'modern.colours'));
    expect(plain.type).toBe('application/json');
    expect(JSON.parse(plain.text).result.structuredContent).toEqual(['red', 'green', 'blue']);

    const logged = await post(
      body(3, 'tools/call', { name: 'testing.divide', arguments: { dividend: 1, divisor: 0 } }, {
        'io.modelcontextprotocol/logLevel': 'info',
      }),
      headers('tools/call', 'testing.divide'),
    );
    expect(logged.type).toBe('text/event-stream');
    const events = logged.text
      .split('\n\n')
      .filter(Boolean)
      .map(e => JSON.parse(e.replace(/^event: message\ndata: /, '')));
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: {
        level: 'warning',
        logger: 'mcp-actions',
        data: { message: 'tool testing.divide reported InputError: cannot divide by zero' },
      },
    });
    expect(events[1].id).toBe(3);
    expect(events[1].result.isError).toBe(true);
  });
});

describe('2026-07-28 refusals: exact status, code and id', () => {
  it.each([
    ['no clientCapabilities', call('a', { 'io.modelcontextprotocol/clientCapabilities': undefined }), headers('tools/call', 'testing.echo'), 400, -32602, 'missing the required _meta key(s): io.modelcontextprotocol/clientCapabilities'],
    ['protocolVersion not a string', call(7, { 'io.modelcontextprotocol/protocolVersion': 2026 }), headers('tools/call', 'testing.echo'), 400, -32602, 'must be a protocol revision string'],
    ['clientInfo not an object', call(8, { 'io.modelcontextprotocol/clientInfo': 'me' }), headers('tools/call', 'testing.echo'), 400, -32602, 'clientInfo'],
    ['an unknown log level', call(9, { 'io.modelcontextprotocol/logLevel': 'loud' }), headers('tools/call', 'testing.echo'), 400, -32602, 'must be one of debug, info'],
    ['an unsupported revision (header and body agree)', call('v', { 'io.modelcontextprotocol/protocolVersion': '1900-01-01' }), headers('tools/call', 'testing.echo', { 'MCP-Protocol-Version': '1900-01-01' }), 400, -32022, 'Unsupported protocol version "1900-01-01"'],
    ['a header naming 2026-07-28 over a body naming another revision', call('w', { 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' }), headers('tools/call', 'testing.echo'), 400, -32020, 'Header mismatch: MCP-Protocol-Version header value "2026-07-28" does not match body value "v999.0.0"'],
    ['no MCP-Protocol-Version header', call(10), headers('tools/call', 'testing.echo', { 'MCP-Protocol-Version': undefined }), 400, -32020, 'MCP-Protocol-Version header is missing'],
    ['a disagreeing MCP-Protocol-Version', call(11), headers('tools/call', 'testing.echo', { 'MCP-Protocol-Version': '2025-11-25' }), 400, -32020, 'MCP-Protocol-Version header value "2025-11-25" does not match body value "2026-07-28"'],
    ['a disagreeing Mcp-Method', call(12), headers('tools/list', 'testing.echo'), 400, -32020, 'Mcp-Method header value "tools/list"'],
    ['no Mcp-Name', call(13), headers('tools/call'), 400, -32020, 'Mcp-Name header is missing'],
    ['a disagreeing Mcp-Name', call(14), headers('tools/call', 'testing.whoami'), 400, -32020, 'Mcp-Name header value "testing.whoami" does not match body value "testing.echo"'],
    ['a malformed Base64 Mcp-Name', call(15), headers('tools/call', '=?base64?***?=') , 400, -32020, 'not valid Base64'],
    ['the modern header without an envelope', { jsonrpc: '2.0', id: 16, method: 'tools/list' }, headers('tools/list'), 400, -32602, 'missing the required _meta key(s)'],
    ['initialize', body(17, 'initialize'), headers('initialize'), 404, -32601, 'Method not found: initialize'],
    ['ping', body(18, 'ping'), headers('ping'), 404, -32601, 'Method not found: ping'],
    ['logging/setLevel', body(19, 'logging/setLevel', { level: 'debug' }), headers('logging/setLevel'), 404, -32601, 'Method not found: logging/setLevel'],
    ['resources/subscribe', body(20, 'resources/subscribe', { uri: 'x:y' }), headers('resources/subscribe'), 404, -32601, 'Method not found: resources/subscribe'],
    ['resources/subscribe', body(21, 'resources/subscribe', { uri: 'mcp-actions://results/00' }), headers('resources/subscribe'), 404, -32601, 'Method not found: resources/subscribe'],
    ['prompts/list', body(22, 'prompts/list'), headers('prompts/list'), 404, -32601, 'Method not found: prompts/list'],
    ['listen without SSE', body(23, 'subscriptions/listen', { notifications: {} }), headers('subscriptions/listen', undefined, { Accept: 'application/json' }), 406, -32000, 'must allow text/event-stream'],
    ['no token', call(24), headers('tools/call', 'testing.echo', { Authorization: undefined }), 401, -32001, 'Unauthorized'],
    ['an unknown server', call('s'), headers('tools/call', 'testing.echo'), 404, -32000, 'there is no MCP server "nope"', '/nope'],
    ['a bad X-MCP-Readonly', call(25), headers('tools/call', 'testing.echo', { 'X-MCP-Readonly': 'perhaps' }), 400, -32600, 'X-MCP-Readonly must be'],
  ] as const)('%s', async (_, payload, hdrs, status, code, words, path?: string) => {
    const got = await refusal(payload, hdrs, path ?? '');
    expect({ status: got.status, code: got.code, id: got.id }).toEqual({ status, code, id: payload.id });
    expect(got.message).toContain(words);
  });

  it('names what is missing and what is supported in error.data', async () => {
    const missing = await refusal(call(1, { 'io.modelcontextprotocol/clientCapabilities': undefined }), headers('tools/call', 'testing.echo'));
    expect(missing.data).toEqual({ envelope: { missing: ['io.modelcontextprotocol/clientCapabilities'] } });
    const version = await refusal(call(2, { 'io.modelcontextprotocol/protocolVersion': '2099-12-31' }), headers('tools/call', 'testing.echo', { 'MCP-Protocol-Version': '2099-12-31' }));
    expect(version.data).toEqual({
      supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
      requested: '2099-12-31',
    });
  });

  it('refuses a batch holding a modern message with id null', async () => {
    const got = await refusal([call(1)], headers('tools/call', 'testing.echo'));
    expect({ status: got.status, code: got.code, id: got.id }).toEqual({ status: 400, code: -32600, id: null });
  });
});

describe('2026-07-28 headers and transport', () => {
  it('trims header values and decodes the Base64 sentinel', async () => {
    const sentinel = `=?base64?${Buffer.from('testing.echo').toString('base64')}?=`;
    for (const name of ['  testing.echo ', sentinel]) {
      const { status, text } = await post(call(1), headers(' tools/call ', name));
      expect(status).toBe(200);
      expect(JSON.parse(text).result.structuredContent).toEqual({ echoed: 'hi', length: 2 });
    }
  });

  it('accepts notifications with 202, with or without Mcp-Method', async () => {
    const note = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'listen:0', _meta: ENVELOPE } };
    for (const method of ['notifications/cancelled', undefined]) {
      const got = await post(note, headers('notifications/cancelled', undefined, { 'Mcp-Method': method }));
      expect({ status: got.status, text: got.text }).toEqual({ status: 202, text: '' });
    }
  });

  it('ignores Mcp-Session-Id and mints none; GET stays 405', async () => {
    const res = await fetch(backend.mcpUrl, {
      method: 'POST',
      headers: headers('tools/list', undefined, { 'Mcp-Session-Id': 'no-such-session' }),
      body: JSON.stringify(body(1, 'tools/list')),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const get = await fetch(backend.mcpUrl, { headers: headers('tools/list') });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('opens a listen stream whose first event acknowledges the honoured filter', async () => {
    const abort = new AbortController();
    const res = await fetch(backend.mcpUrl, {
      method: 'POST',
      headers: headers('subscriptions/listen'),
      body: JSON.stringify(body('listen:7', 'subscriptions/listen', { notifications: { toolsListChanged: true, resourcesListChanged: true } })),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    expect(JSON.parse(first.replace(/^event: message\ndata: /, ''))).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: {
        _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen:7' },
        notifications: { toolsListChanged: true },
      },
    });
  });
});
