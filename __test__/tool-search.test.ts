import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { tasksActionsPlugin } from './support/tasksActionsPlugin';
import { callTool, rpc, settle } from './support/tasksHttp';
import { testActionsPlugin } from './support/testActionsPlugin';

// Tool search end to end: a real backend with real plugins, the 1.x SDK (Streamable HTTP and
// the legacy SSE transport) and the 2.x SDK, `X-MCP-Tools` and the config key. What call_tool
// answers is compared with what a direct tools/call answers, field for field.

const META = ['search_tools', 'describe_tools', 'call_tool'];
let backend: RunningBackend;
const clients: { close(): Promise<void> }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'mcp-search-'));

beforeAll(async () => {
  backend = await startBackend({
    features: [mcpActionsPlugin, testActionsPlugin, tasksActionsPlugin],
    config: {
      backend: {
        actions: { pluginSources: ['testing', 'jobs'] },
        database: { client: 'better-sqlite3', connection: { directory: dir } },
      },
      mcpActions: {
        toolCallTimeout: 2,
        tasks: { promoteAfterSeconds: 0.5, pollIntervalSeconds: 0.5 },
        servers: {
          searching: { name: 'Searching', toolDiscovery: 'search' },
          widgets: {
            name: 'Widget tools',
            toolDiscovery: 'search',
            filter: { include: [{ id: 'testing:*-widget' }] },
          },
        },
      },
    },
  });
});
afterAll(async () => {
  await Promise.all(clients.map(c => c.close().catch(() => {})));
  await backend?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function legacy(path = '', headers: Record<string, string> = {}) {
  const client = new Client({ name: 'search-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${backend.mcpUrl}${path}`), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}`, ...headers } },
    }),
  );
  clients.push(client);
  return client;
}

async function modern(path = '', headers: Record<string, string> = {}) {
  const client = new ModernClient({ name: 'search-e2e', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(
    new ModernTransport(new URL(`${backend.mcpUrl}${path}`), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}`, ...headers } },
    }),
  );
  clients.push(client);
  return client;
}

describe('tool search with the 1.x SDK', () => {
  it('lists the three tools with X-MCP-Tools: search, the catalog without', async () => {
    const searching = await legacy('', { 'X-MCP-Tools': 'search' });
    expect((await searching.listTools()).tools.map(t => t.name)).toEqual(META);
    const all = await legacy();
    const catalog = (await all.listTools()).tools.map(t => t.name);
    expect(catalog).toContain('testing.echo');
    expect(catalog.length).toBeGreaterThan(8);
    const configured = await legacy('/searching');
    expect((await configured.listTools()).tools.map(t => t.name)).toEqual(META);
    const overridden = await legacy('/searching', { 'X-MCP-Tools': 'all' });
    expect((await overridden.listTools()).tools.map(t => t.name)).toEqual(catalog);
  });

  it('finds the echo tool first, describes it as tools/list does, and calls it', async () => {
    const client = await legacy('', { 'X-MCP-Tools': 'search' });
    const found = await client.callTool({ name: 'search_tools', arguments: { query: 'echo' } });
    const hits = (found.structuredContent as { tools: { name: string; summary: string }[]; total: number });
    expect(hits.tools[0]).toMatchObject({
      name: 'testing.echo',
      title: 'Echo',
      summary: 'Returns the message it was given, and its length.',
      annotations: { readOnlyHint: true },
    });
    const all = await legacy();
    const echo = (await all.listTools()).tools.find(t => t.name === 'testing.echo');
    const described = await client.callTool({ name: 'describe_tools', arguments: { names: ['testing.echo', 'testing.nothing'] } });
    expect(described.structuredContent).toEqual({ tools: [echo], unknown: ['testing.nothing'] });

    const through = await client.callTool({ name: 'call_tool', arguments: { name: 'testing.echo', arguments: { message: 'hi' } } });
    const direct = await all.callTool({ name: 'testing.echo', arguments: { message: 'hi' } });
    expect(through).toEqual(direct);
    expect(through.structuredContent).toEqual({ echoed: 'hi', length: 2 });
  });

  it('call_tool gives an InputError, a timeout, a read-only refusal and an unknown tool as a direct call does', async () => {
    const client = await legacy('', { 'X-MCP-Tools': 'search' });
    const all = await legacy();
    const divide = { name: 'testing.divide', arguments: { dividend: 1, divisor: 0 } };
    const through = await client.callTool({ name: 'call_tool', arguments: divide });
    expect(through).toEqual(await all.callTool(divide));
    expect(through.isError).toBe(true);
    expect((through.content as { text: string }[])[0].text).toBe('InputError: cannot divide by zero');

    const slow = { name: 'jobs.build', arguments: { ms: 3000 } };
    const timedOut = await client.callTool({ name: 'call_tool', arguments: slow });
    expect((timedOut.content as { text: string }[])[0].text).toBe(
      'TimeoutError: the action did not finish within 2 seconds (mcpActions.toolCallTimeout); it may still complete on the server',
    );
    expect(timedOut).toEqual(await all.callTool(slow));

    const readOnly = await legacy('', { 'X-MCP-Tools': 'search', 'X-MCP-Readonly': 'true' });
    const refusal = (c: Client, name: string, args: Record<string, unknown>) =>
      c.callTool({ name, arguments: args }).then(
        () => 'answered',
        (e: McpError) => `${e.code} ${e.message}`,
      );
    const expected = 'MCP error -32602: Unknown tool: testing.delete-widget';
    expect(await refusal(readOnly, 'call_tool', { name: 'testing.delete-widget', arguments: { name: 'w' } })).toBe(`-32602 ${expected}`);
    const readOnlyAll = await legacy('', { 'X-MCP-Readonly': 'true' });
    expect(await refusal(readOnlyAll, 'testing.delete-widget', { name: 'w' })).toBe(`-32602 ${expected}`);
    expect(await refusal(client, 'call_tool', { name: 'testing.nothing', arguments: {} })).toBe(
      '-32602 MCP error -32602: Unknown tool: testing.nothing',
    );
  });

  it('never finds, describes or calls a tool the server hides', async () => {
    const widgets = await legacy('/widgets');
    const found = await widgets.callTool({ name: 'search_tools', arguments: { query: 'echo message' } });
    expect((found.structuredContent as { tools: { name: string }[] }).tools.map(t => t.name)).not.toContain('testing.echo');
    const described = await widgets.callTool({ name: 'describe_tools', arguments: { names: ['testing.echo'] } });
    expect(described.structuredContent).toEqual({ tools: [], unknown: ['testing.echo'] });
    await expect(
      widgets.callTool({ name: 'call_tool', arguments: { name: 'testing.echo', arguments: { message: 'x' } } }),
    ).rejects.toThrow('Unknown tool: testing.echo');
    // A direct call of a real tool the server does offer still works.
    const direct = await widgets.callTool({ name: 'testing.delete-widget', arguments: { name: 'w' } });
    expect(direct.structuredContent).toEqual({ deleted: true });
  });

  it('works over the legacy SSE transport with the server setting', async () => {
    const client = new Client({ name: 'search-sse', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(new URL(`${backend.mcpUrl}/searching/sse`), {
        requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
      }),
    );
    clients.push(client);
    expect((await client.listTools()).tools.map(t => t.name)).toEqual(META);
    const through = await client.callTool({ name: 'call_tool', arguments: { name: 'testing.echo', arguments: { message: 'sse' } } });
    expect(through.structuredContent).toEqual({ echoed: 'sse', length: 3 });
  });

  it('refuses a bad X-MCP-Tools with 400, naming the header and the values allowed', async () => {
    const res = await fetch(backend.mcpUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${STATIC_TOKEN}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'X-MCP-Tools': 'everything',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'h', method: 'tools/list' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 'h',
      error: { code: -32600, message: 'Bad Request: X-MCP-Tools must be "all" or "search", got "everything"' },
    });
  });
});

describe('tool search with the 2.x SDK (2026-07-28)', () => {
  it('lists the three tools, finds echo first, and call_tool answers as a direct call', async () => {
    const client = await modern('', { 'X-MCP-Tools': 'search' });
    expect((await client.listTools()).tools.map(t => t.name)).toEqual(META);
    const found = await client.callTool({ name: 'search_tools', arguments: { query: 'echo' } });
    expect((found.structuredContent as { tools: { name: string }[] }).tools[0].name).toBe('testing.echo');
    const all = await modern();
    const args = { name: 'testing.echo', arguments: { message: 'modern' } };
    const through = await client.callTool({ name: 'call_tool', arguments: args });
    expect(through).toEqual(await all.callTool(args));
    const divide = { name: 'testing.divide', arguments: { dividend: 1, divisor: 0 } };
    expect(await client.callTool({ name: 'call_tool', arguments: divide })).toEqual(await all.callTool(divide));
  });

  it('call_tool of a slow tool becomes a task for a client that declares tasks', async () => {
    const searchUrl = `${backend.mcpUrl}/searching`;
    const created = await callTool(searchUrl, 'call_tool', { name: 'jobs.build', arguments: { ms: 1500 } });
    expect(created.status).toBe(200);
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
    const settled = await settle(searchUrl, created.result.taskId);
    expect(settled.result.status).toBe('completed');
    expect(settled.result.result.structuredContent).toMatchObject({ waited: 1500 });
    expect(settled.result.result.isError).toBeUndefined();
    // Without the capability the same call waits for its result.
    const plain = await rpc(searchUrl, 'tools/call', { name: 'call_tool', arguments: { name: 'jobs.build', arguments: { ms: 10 } } }, { declare: false });
    expect(plain.result).toMatchObject({ resultType: 'complete', structuredContent: { waited: 10 } });
  });
});
