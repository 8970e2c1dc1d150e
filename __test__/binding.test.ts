import { describe, expect, it } from 'vitest';
import {
  McpEngine,
  type HostOutcome,
  type InvokeRequest,
  type LogRecord,
  type McpHttpResponse,
} from '../index';

// The napi binding on its own: JS callbacks, their failures, log forwarding. No backend.

const actions = {
  actions: [
    {
      id: 'demo:ok',
      pluginId: 'demo',
      name: 'ok',
      title: 'OK',
      description: 'fine',
      schema: { input: { type: 'object', properties: {} }, output: { type: 'object' } },
      attributes: { readOnly: true, destructive: false, idempotent: true },
    },
    {
      id: 'demo:broken-schema',
      pluginId: 'demo',
      name: 'broken-schema',
      title: 'Broken',
      description: 'input schema is not an object schema',
      schema: { input: { type: 'string' }, output: {} },
      attributes: { readOnly: true, destructive: false, idempotent: true },
    },
  ],
};

function engine(options: {
  invoke?: (req: InvokeRequest) => Promise<HostOutcome>;
  list?: (handle: number) => Promise<HostOutcome>;
  logs?: LogRecord[];
  config?: object;
}) {
  return new McpEngine(
    {
      config: JSON.stringify({ version: '0.0.0-test', pluginSources: ['demo'], ...options.config }),
    },
    options.list ?? (async () => ({ json: JSON.stringify(actions) })),
    options.invoke ?? (async () => ({ json: '{"ok":true}' })),
    record => options.logs?.push(record),
    () => {},
  );
}

function post(e: McpEngine, body: unknown, credentials = 1) {
  return e.handlePost({
    credentials,
    ticket: 9,
    principal: 'user:default/test',
    accept: 'application/json',
    contentType: 'application/json',
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });
}

const call = (name: string, args: unknown = {}) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name, arguments: args },
});

const json = (r: McpHttpResponse) => JSON.parse(r.body!);

describe('McpEngine binding', () => {
  it('passes the credentials handle, action id and argument JSON to invokeAction', async () => {
    const seen: InvokeRequest[] = [];
    const e = engine({
      invoke: async req => {
        seen.push(req);
        return { json: '{"n":"ü ✓"}' };
      },
    });
    const r = await post(e, call('demo.ok', { text: 'héllo' }), 42);
    expect(seen).toEqual([
      {
        credentials: 42,
        actionId: 'demo:ok',
        toolName: 'demo.ok',
        ticket: 9,
        input: '{"text":"héllo"}',
      },
    ]);
    expect(json(r).result.structuredContent).toEqual({ n: 'ü ✓' });
  });

  it('turns a rejecting callback into -32603, not a crash', async () => {
    const e = engine({
      invoke: async () => {
        throw new Error('token=abc123 leaked?');
      },
    });
    const r = await post(e, call('demo.ok'));
    expect(r.status).toBe(200);
    expect(json(r).error.code).toBe(-32603);
    expect(r.body).not.toContain('abc123');
  });

  it('turns a callback that returns nonsense into -32603', async () => {
    const e = engine({ invoke: (async () => 42) as never });
    const r = await post(e, call('demo.ok'));
    expect(json(r).error.code).toBe(-32603);
    const empty = engine({ invoke: async () => ({}) });
    expect(json(await post(empty, call('demo.ok'))).error.code).toBe(-32603);
  });

  it('keeps the Backstage error name of a known error', async () => {
    const e = engine({
      invoke: async () => ({ errorName: 'ConflictError', errorMessage: 'already exists' }),
    });
    expect(json(await post(e, call('demo.ok'))).result).toEqual({
      content: [{ type: 'text', text: 'ConflictError: already exists' }],
      isError: true,
    });
  });

  it('warns once per action whose schema cannot be a tool', async () => {
    const logs: LogRecord[] = [];
    const e = engine({ logs });
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const first = json(await post(e, list));
    await post(e, list);
    expect(first.result.tools.map((t: { name: string }) => t.name)).toEqual(['demo.ok']);
    await new Promise(r => setTimeout(r, 50));
    const warnings = logs.filter(l => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('demo:broken-schema');
    expect(warnings[0].fields).toEqual({ action: 'demo:broken-schema' });
  });

  it('answers a rejecting listActions with -32603', async () => {
    const e = engine({
      list: async () => {
        throw new TypeError('boom');
      },
    });
    const r = await post(e, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(json(r).error.code).toBe(-32603);
  });

  it('serves many concurrent requests', async () => {
    let n = 0;
    const e = engine({
      // One principal makes them all: lift the limit of calls in flight per principal.
      config: { limits: { maxConcurrentCallsPerPrincipal: 0 } },
      invoke: async req => {
        await new Promise(r => setTimeout(r, 1));
        n += 1;
        return { json: JSON.stringify({ input: JSON.parse(req.input) }) };
      },
    });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(e, call('demo.ok', { i }))),
    );
    expect(n).toBe(200);
    answers.forEach((a, i) => expect(json(a).result.structuredContent).toEqual({ input: { i } }));
  });

  it('refuses a bad configuration with an error that names the key', () => {
    const make = (config: object) => () =>
      new McpEngine(
        { config: JSON.stringify(config) },
        async () => ({ json: '{"actions":[]}' }),
        async () => ({ json: '{}' }),
        () => {},
        () => {},
      );
    expect(make({ servers: [{ key: 'Not_Valid', name: 'x' }] })).toThrow(
      /mcpActions\.servers\.Not_Valid: invalid MCP server key "Not_Valid"/,
    );
    expect(make({ toolNameSeparator: '/' })).toThrow(/mcpActions\.toolNameSeparator/);
  });

  it('builds the fixed answers: 405, 401, unreadable body, internal error', () => {
    const e = engine({});
    expect(e.methodNotAllowed('PATCH')).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(e.unauthorized(false)).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Bearer' },
    });
    expect(e.unreadableBody(413, 'too big').status).toBe(413);
    expect(e.internalError().status).toBe(500);
  });
});
