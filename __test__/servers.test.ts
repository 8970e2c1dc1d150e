import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { inventoryActionsPlugin } from './support/inventoryActionsPlugin';
import { testActionsPlugin } from './support/testActionsPlugin';

// Two plugins' actions, three named servers (glob; attributes; include plus exclude), and a
// page size small enough that every list below is a pagination walk.

const running: RunningBackend[] = [];
const clients: Client[] = [];
let backend: RunningBackend;

async function start(mcpActions: object) {
  const b = await startBackend({
    features: [mcpActionsPlugin, testActionsPlugin, inventoryActionsPlugin],
    config: {
      backend: { actions: { pluginSources: ['testing', 'inventory'] } },
      mcpActions: mcpActions as never,
    },
  });
  running.push(b);
  return b;
}

beforeAll(async () => {
  backend = await start({
    toolsPageSize: 3,
    servers: {
      widgets: {
        name: 'Widget tools',
        description: 'Finds and deletes widgets',
        instructions: 'Look before you delete.',
        filter: { include: [{ id: 'testing:*-widget' }] },
      },
      'read-only': {
        name: 'Read-only tools',
        filter: { include: [{ attributes: { readOnly: true } }] },
      },
      'inventory-safe': {
        name: 'Inventory without removals',
        filter: {
          include: [{ id: 'inventory:*' }],
          exclude: [{ attributes: { destructive: true } }],
        },
      },
    },
  });
});
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await Promise.all(running.map(b => b.stop()));
});

async function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'servers-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}`, ...headers } },
    }),
  );
  clients.push(client);
  return client;
}

/** Every tool, following `nextCursor`; returns the names and how many pages it took. */
async function walk(client: Client) {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  return { names: tools.map(t => t.name), pages };
}

async function refused(client: Client, name: string) {
  const error = await client.callTool({ name, arguments: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  expect((error as McpError).code).toBe(-32602);
  expect((error as McpError).message).toContain(`Unknown tool: ${name}`);
}

describe('named servers', () => {
  it('serves exactly the filtered tools on each endpoint', async () => {
    const all = await walk(await connect(backend.mcpUrl));
    expect(all.names).toEqual([
      'inventory.add-item',
      'inventory.list-items',
      'inventory.remove-item',
      'testing.delete-widget',
      'testing.divide',
      'testing.echo',
      'testing.explode',
      'testing.find-widget',
      'testing.whoami',
    ]);
    expect((await walk(await connect(`${backend.mcpUrl}/widgets`))).names).toEqual([
      'testing.delete-widget',
      'testing.find-widget',
    ]);
    expect((await walk(await connect(`${backend.mcpUrl}/read-only`))).names).toEqual([
      'inventory.list-items',
      'testing.divide',
      'testing.echo',
      'testing.find-widget',
      'testing.whoami',
    ]);
    expect((await walk(await connect(`${backend.mcpUrl}/inventory-safe`))).names).toEqual([
      'inventory.add-item',
      'inventory.list-items',
    ]);
  });

  it('refuses a call to a tool the server hides, like an unknown tool', async () => {
    await refused(await connect(`${backend.mcpUrl}/widgets`), 'testing.echo');
    await refused(await connect(`${backend.mcpUrl}/read-only`), 'testing.delete-widget');
    await refused(await connect(`${backend.mcpUrl}/inventory-safe`), 'inventory.remove-item');
    const safe = await connect(`${backend.mcpUrl}/inventory-safe`);
    const added = await safe.callTool({ name: 'inventory.add-item', arguments: { item: 'washer' } });
    expect(added.structuredContent).toEqual({ count: 3 });
  });

  it('gives each server its identity, and the default server its own', async () => {
    const widgets = await connect(`${backend.mcpUrl}/widgets`);
    expect(widgets.getServerVersion()).toMatchObject({
      name: 'Widget tools',
      description: 'Finds and deletes widgets',
    });
    expect(widgets.getInstructions()).toBe('Look before you delete.');
    const main = await connect(backend.mcpUrl);
    expect(main.getServerVersion()?.name).toBe('backstage');
    expect(main.getInstructions()).toBeUndefined();
  });

  it('answers an unknown server with 404 and a known one’s GET with 405', async () => {
    const post = await fetch(`${backend.mcpUrl}/nope`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${STATIC_TOKEN}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(post.status).toBe(404);
    const body = (await post.json()) as { error: { message: string } };
    expect(body.error.message).toContain('inventory-safe, read-only, widgets');
    const get = await fetch(`${backend.mcpUrl}/widgets`, {
      headers: { Authorization: `Bearer ${STATIC_TOKEN}` },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('X-MCP-Readonly', () => {
  it('shows and runs only read-only tools', async () => {
    const client = await connect(backend.mcpUrl, { 'X-MCP-Readonly': 'true' });
    expect((await walk(client)).names).toEqual([
      'inventory.list-items',
      'testing.divide',
      'testing.echo',
      'testing.find-widget',
      'testing.whoami',
    ]);
    await refused(client, 'testing.delete-widget');
    await refused(client, 'inventory.add-item');
    const echo = await client.callTool({ name: 'testing.echo', arguments: { message: 'ro' } });
    expect(echo.structuredContent).toEqual({ echoed: 'ro', length: 2 });
  });

  it('narrows a named server further', async () => {
    const client = await connect(`${backend.mcpUrl}/widgets`, { 'X-MCP-Readonly': 'true' });
    expect((await walk(client)).names).toEqual(['testing.find-widget']);
  });
});

describe('pagination', () => {
  it('walks every tool once, in order, over pages of the configured size', async () => {
    const client = await connect(backend.mcpUrl);
    const { names, pages } = await walk(client);
    expect(pages).toBe(3);
    expect(new Set(names).size).toBe(9);
    expect([...names].sort()).toEqual(names);
    const first = await client.listTools();
    expect(first.tools).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
  });

  it('refuses a cursor it did not hand out with -32602', async () => {
    const client = await connect(backend.mcpUrl);
    const error = await client.listTools({ cursor: 'not-a-cursor' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as McpError).code).toBe(-32602);
  });
});

describe('tool name separators', () => {
  it.each([
    ['_', 'testing_echo', 'inventory_list-items'],
    ['__', 'testing__echo', 'inventory__list-items'],
  ])('toolNameSeparator %s names and calls tools', async (separator, echo, list) => {
    const b = await start({ toolNameSeparator: separator });
    const client = await connect(b.mcpUrl);
    const { names } = await walk(client);
    expect(names).toContain(echo);
    expect(names).toContain(list);
    expect(names.some(n => n.includes('.'))).toBe(false);
    const result = await client.callTool({ name: echo, arguments: { message: separator } });
    expect(result.structuredContent).toEqual({ echoed: separator, length: separator.length });
  });

  it('plain action names with namespacedToolNames: false', async () => {
    const b = await start({ namespacedToolNames: false });
    const client = await connect(b.mcpUrl);
    const { names } = await walk(client);
    expect(names).toContain('echo');
    expect(names).toContain('list-items');
    const result = await client.callTool({ name: 'list-items', arguments: {} });
    expect(result.structuredContent).toEqual({ items: expect.arrayContaining(['bolt', 'nut']) });
  });
});

describe('startup validation', () => {
  it('refuses to start with a bad server key and names it', async () => {
    await expect(
      start({ servers: { Bad_Key: { name: 'x' } } }),
    ).rejects.toThrow(/mcpActions\.servers\.Bad_Key: invalid MCP server key "Bad_Key"/);
  });

  it('refuses the reserved key "sse"', async () => {
    await expect(start({ servers: { sse: { name: 'x' } } })).rejects.toThrow(
      /invalid MCP server key "sse"/,
    );
  });

  it('refuses a value of the wrong type, naming the key', async () => {
    await expect(start({ namespacedToolNames: 'perhaps' })).rejects.toThrow(
      /mcpActions\.namespacedToolNames/,
    );
    await expect(start({ toolsPageSize: 'lots' })).rejects.toThrow(/mcpActions\.toolsPageSize/);
    await expect(start({ toolsPageSize: 0 })).rejects.toThrow(
      /mcpActions\.toolsPageSize: must be a whole number between 1 and 10000, got 0/,
    );
  });

  it('refuses a server without a name', async () => {
    await expect(start({ servers: { nameless: {} } })).rejects.toThrow(
      /mcpActions\.servers\.nameless\.name/,
    );
  });
});
