import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { testActionsPlugin } from './support/testActionsPlugin';

let backend: RunningBackend;

beforeAll(async () => {
  backend = await startBackend({ features: [mcpActionsPlugin, testActionsPlugin] });
});
afterAll(async () => {
  await backend?.stop();
});

async function connect(token = STATIC_TOKEN): Promise<Client> {
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

describe('Streamable HTTP through a real backend', () => {
  it('initializes and lists the test actions as tools', async () => {
    const client = await connect();
    expect(client.getServerVersion()?.name).toBe('backstage');
    const { tools } = await client.listTools();
    expect(tools.map(t => t.name)).toContain('testing.echo');
    await client.close();
  });

  it('calls a tool', async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'testing.echo', arguments: { message: 'hi' } });
    expect(result.structuredContent).toEqual({ echoed: 'hi', length: 2 });
    await client.close();
  });
});
