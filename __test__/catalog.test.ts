import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';

// The real catalog backend with the demo's example entities: its own actions become tools.
let backend: RunningBackend;
let client: Client;

beforeAll(async () => {
  backend = await startBackend({
    features: [mcpActionsPlugin, import('@backstage/plugin-catalog-backend')],
    config: {
      backend: { actions: { pluginSources: ['catalog'] } },
      catalog: {
        rules: [{ allow: ['Component', 'System', 'API', 'Group', 'User', 'Location'] }],
        locations: [
          { type: 'file', target: resolve(__dirname, '../dev/examples/entities.yaml') },
        ],
      },
    },
  });
  client = new Client({ name: 'catalog-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    }),
  );
});
afterAll(async () => {
  await client?.close();
  await backend?.stop();
});

async function getEntity(name: string) {
  // The catalog ingests the file location asynchronously after startup.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const result = await client.callTool({
      name: 'catalog.get-catalog-entity',
      arguments: { kind: 'Component', name },
    });
    if (!result.isError || Date.now() > deadline) return result;
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('the catalog’s real actions as tools', () => {
  it('lists the catalog actions', async () => {
    const { tools } = await client.listTools();
    const names = tools.map(t => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'catalog.get-catalog-entity',
        'catalog.query-catalog-entities',
        'catalog.register-entity',
        'catalog.unregister-entity',
      ]),
    );
    const get = tools.find(t => t.name === 'catalog.get-catalog-entity')!;
    expect(get.title).toBe('Get Catalog Entity');
    expect(get.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(get.inputSchema.required).toEqual(['name']);
  });

  it('gets an example entity', async () => {
    const result = await getEntity('payments-service');
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      kind: 'Component',
      metadata: { name: 'payments-service', description: 'Charges cards and issues refunds.' },
      spec: { owner: 'platform-team', system: 'payments' },
    });
  });

  it('reports a missing entity as a tool error from the catalog', async () => {
    const result = await client.callTool({
      name: 'catalog.get-catalog-entity',
      arguments: { name: 'no-such-thing' },
    });
    expect(result).toEqual({
      content: [{ type: 'text', text: 'InputError: No entity found with name "no-such-thing"' }],
      isError: true,
    });
  });
});
