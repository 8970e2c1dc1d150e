import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { OTHER_TOKEN, STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { bulkActionsPlugin, bulkItems } from './support/bulkActionsPlugin';

// Result budgets end to end: a real backend whose plugin answers as much as asked, the
// results table in a SQLite file (so that a restarted backend still serves a kept result),
// the 1.x and 2.x SDKs reading the whole back with resources/read.

const BUDGET = 5000;
const dir = mkdtempSync(join(tmpdir(), 'mcp-results-'));
const running: RunningBackend[] = [];
const clients: { close(): Promise<void> }[] = [];

function start() {
  return startBackend({
    features: [mcpActionsPlugin, bulkActionsPlugin],
    config: {
      backend: {
        actions: { pluginSources: ['bulk'] },
        database: { client: 'better-sqlite3', connection: { directory: dir } },
      },
      mcpActions: { results: { maxChars: BUDGET } },
    },
  }).then(b => (running.push(b), b));
}

afterAll(async () => {
  await Promise.all(clients.map(c => c.close().catch(() => {})));
  await Promise.all(running.map(b => b.stop().catch(() => {})));
  rmSync(dir, { recursive: true, force: true });
});

async function legacy(url: string, token = STATIC_TOKEN) {
  const client = new Client({ name: 'budget-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  clients.push(client);
  return client;
}

type Block = { type: string; text?: string; uri?: string; mimeType?: string; size?: number };

/** Every page of a kept result, in order, read by `client`. */
async function readWhole(client: Client | ModernClient, uri: string, pages: number) {
  let whole = '';
  for (let page = 1; page <= pages; page++) {
    const read = await client.readResource({ uri: page === 1 ? uri : `${uri}?page=${page}` });
    whole += (read.contents[0] as { text: string }).text;
  }
  return whole;
}

describe('result budgets', () => {
  it('answers a result over the budget with its first part and a link the owner reads whole, also after a restart', async () => {
    let backend = await start();
    const client = await legacy(backend.mcpUrl);
    expect(client.getServerCapabilities()?.resources).toEqual({});
    const whole = JSON.stringify(bulkItems(1000));
    const result = await client.callTool({ name: 'bulk.list-items', arguments: { count: 1000 } });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    const content = result.content as Block[];
    expect(content.map(b => b.type)).toEqual(['text', 'text', 'resource_link']);
    const link = content[2];
    expect(link).toMatchObject({ name: 'Result of bulk.list-items', mimeType: 'application/json', size: whole.length });
    expect(link.uri).toMatch(/^mcp-actions:\/\/results\/[0-9a-f]{32}$/);
    const pages = Math.ceil(whole.length / BUDGET);
    expect(content[0].text).toBe(
      `The result of bulk.list-items is ${whole.length} characters, over this server's budget of ${BUDGET} (mcpActions.results.maxChars). ` +
        'Narrow the call to get less: a filter, a smaller limit, fewer fields, or a more specific query. ' +
        `The whole result is kept for 10 minutes as the resource ${link.uri} (resources/read; ${pages} pages of up to ${BUDGET} characters: ${link.uri}, then ?page=2 up to ?page=${pages}). ` +
        'The first part of the output follows.',
    );
    expect(whole.startsWith(content[1].text!)).toBe(true);
    expect(content[0].text!.length + content[1].text!.length).toBeLessThanOrEqual(BUDGET);

    expect(await readWhole(client, link.uri!, pages)).toBe(whole);
    expect(JSON.parse(await readWhole(client, link.uri!, pages))).toEqual(bulkItems(1000));

    // Another principal gets what an unknown link gets.
    const other = await legacy(backend.mcpUrl, OTHER_TOKEN);
    const refusal = (c: Client, uri: string) => c.readResource({ uri }).then(() => 'read', (e: Error) => e.message);
    expect(await refusal(other, link.uri!)).toBe('MCP error -32002: Resource not found');
    expect(await refusal(client, 'mcp-actions://results/ffffffffffffffffffffffffffffffff')).toBe(
      'MCP error -32002: Resource not found',
    );
    // Kept results are reached through their links only; the list names the MCP Apps views.
    expect((await client.listResources()).resources.map(r => r.uri)).toEqual([
      'ui://mcp-actions/entity-card.html',
      'ui://mcp-actions/entity-table.html',
      'ui://mcp-actions/result.html',
    ]);

    // The same database after a restart: the owner still reads it.
    await backend.stop();
    running.splice(running.indexOf(backend), 1);
    backend = await start();
    const again = await legacy(backend.mcpUrl);
    expect(await readWhole(again, link.uri!, pages)).toBe(whole);
    expect(await refusal(await legacy(backend.mcpUrl, OTHER_TOKEN), link.uri!)).toBe('MCP error -32002: Resource not found');
  }, 60_000);

  it('leaves a result under the budget as it is, structuredContent included', async () => {
    const backend = running[0] ?? (await start());
    const client = await legacy(backend.mcpUrl);
    const result = await client.callTool({ name: 'bulk.list-items', arguments: { count: 10 } });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual(bulkItems(10));
  });

  it('works the same for the 2.x SDK in the 2026-07-28 era', async () => {
    const backend = running[0] ?? (await start());
    const client = new ModernClient({ name: 'budget-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(
      new ModernTransport(new URL(backend.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } } }),
    );
    clients.push(client);
    const whole = JSON.stringify(bulkItems(400));
    const result = await client.callTool({ name: 'bulk.list-items', arguments: { count: 400 } });
    expect(result.isError).toBe(true);
    const link = (result.content as Block[]).find(b => b.type === 'resource_link')!;
    expect(await readWhole(client, link.uri!, Math.ceil(whole.length / BUDGET))).toBe(whole);
    await expect(client.readResource({ uri: 'mcp-actions://results/00' })).rejects.toThrow('Resource not found');
  });
});
