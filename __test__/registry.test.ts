import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsServiceRef, type ActionsService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import {
  STATIC_TOKEN,
  freePort,
  startBackend,
  type RunningBackend,
} from './support/backend';
import { inventoryActionsPlugin } from './support/inventoryActionsPlugin';
import { RecordingLogger, recordingRootLogger } from './support/recordingLogger';
import { testActionsPlugin } from './support/testActionsPlugin';

// How the plugin reaches the actions registry: directly over its HTTP API when the backend
// runs Backstage's default actions service, through any other actions service as it is.

const running: RunningBackend[] = [];
const clients: Client[] = [];
const log = new RecordingLogger();
let sources: RunningBackend;
let silent: Server;
const sockets: Socket[] = [];

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'registry-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    }),
  );
  clients.push(client);
  return client;
}

beforeAll(async () => {
  // `ghost` is a plugin nobody installed (the backend answers 404); `down` is discovered on a
  // port nobody listens on; `slow` on a server that accepts and never answers.
  const closedPort = await freePort();
  silent = createServer(socket => sockets.push(socket)).listen(0, '127.0.0.1');
  await new Promise(resolve => silent.once('listening', resolve));
  const silentPort = (silent.address() as AddressInfo).port;
  sources = await startBackend({
    features: [mcpActionsPlugin, testActionsPlugin, inventoryActionsPlugin, recordingRootLogger(log)],
    config: {
      backend: { actions: { pluginSources: ['testing', 'ghost', 'down', 'slow', 'inventory'] } },
      discovery: {
        endpoints: [
          { target: `http://127.0.0.1:${closedPort}/api/{{pluginId}}`, plugins: ['down'] },
          { target: `http://127.0.0.1:${silentPort}/api/{{pluginId}}`, plugins: ['slow'] },
        ],
      },
      mcpActions: { sourceListTimeout: 0.5 },
    },
  });
  running.push(sources);
});
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await Promise.all(running.map(b => b.stop()));
  sockets.forEach(s => s.destroy());
  silent?.close();
});

describe('plugin sources that cannot be listed', () => {
  it('leave only their own tools out, with one warning each per minute', async () => {
    const client = await connect(sources.mcpUrl);
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const { tools } = await client.listTools();
      const plugins = new Set(tools.map(t => t.name.split('.')[0]));
      expect([...plugins].sort()).toEqual(['inventory', 'testing']);
      // Held up by the silent source for its timeout, not longer.
      expect(Date.now() - started).toBeLessThan(2000);
    }
    const warnings = log.entries.filter(
      e => e.level === 'warn' && e.message.startsWith('Failed to fetch actions from'),
    );
    expect(warnings.map(w => w.message.split(':')[0]).sort()).toEqual([
      'Failed to fetch actions from down',
      'Failed to fetch actions from ghost',
      'Failed to fetch actions from slow',
    ]);
    expect(warnings.find(w => w.message.includes('slow'))?.message).toBe(
      'Failed to fetch actions from slow: Error: no answer within 0.5 s (mcpActions.sourceListTimeout); its tools are left out',
    );
    expect(warnings.find(w => w.message.includes('ghost'))?.message).toContain(
      'ghost: ResponseError: Request failed with 404 Not Found; its tools are left out',
    );
    expect(warnings.find(w => w.message.includes(' down'))?.message).toContain('ECONNREFUSED');
    // Never the token the plugin used.
    expect(log.lines.join('\n')).not.toMatch(/Bearer|eyJ[A-Za-z0-9_-]{20,}/);
  });

  it('do not stop calls to the others', async () => {
    const client = await connect(sources.mcpUrl);
    const result = await client.callTool({ name: 'testing.echo', arguments: { message: 'still here' } });
    expect(result.structuredContent).toEqual({ echoed: 'still here', length: 10 });
    expect(result.isError).toBeFalsy();
  });

  it('an unreachable action source fails the call with a safe internal error', async () => {
    const client = await connect(sources.mcpUrl);
    const error = await client
      .callTool({ name: 'down.anything', arguments: {} })
      .then(() => undefined, e => e as { code: number; message: string });
    expect(error?.code).toBe(-32603);
    expect(error?.message).toBe(
      'MCP error -32603: Internal error: tool "down.anything" failed unexpectedly; the server log has the details',
    );
  });
});

describe('an actions service other than the default', () => {
  it('is used as it is, for lists and calls', async () => {
    const calls: string[] = [];
    const custom: ActionsService = {
      async list() {
        calls.push('list');
        return {
          actions: [
            {
              id: 'custom:shout',
              name: 'shout',
              title: 'Shout',
              description: 'Upper-cases its input.',
              pluginId: 'custom',
              attributes: { readOnly: true, destructive: false, idempotent: true },
              schema: {
                input: {
                  type: 'object',
                  properties: { text: { type: 'string' } },
                  required: ['text'],
                },
                output: { type: 'object', properties: { text: { type: 'string' } } },
              },
            },
          ],
        };
      },
      async invoke({ id, input }) {
        calls.push(`invoke ${id}`);
        const { text } = input as { text?: unknown };
        if (typeof text !== 'string') throw new InputError('text must be a string');
        return { output: { text: text.toUpperCase() } };
      },
    };
    const backend = await startBackend({
      features: [
        mcpActionsPlugin,
        createServiceFactory({ service: actionsServiceRef, deps: {}, factory: () => custom }),
      ],
      config: { backend: { actions: { pluginSources: ['custom'] } } },
    });
    running.push(backend);
    const client = await connect(backend.mcpUrl);
    const { tools } = await client.listTools();
    expect(tools.map(t => t.name)).toEqual(['custom.shout']);
    const result = await client.callTool({ name: 'custom.shout', arguments: { text: 'hi' } });
    expect(result.structuredContent).toEqual({ text: 'HI' });
    const bad = await client.callTool({ name: 'custom.shout', arguments: { text: 1 } });
    expect(bad.isError).toBe(true);
    expect(bad.content).toEqual([{ type: 'text', text: 'InputError: text must be a string' }]);
    expect(calls).toEqual(['list', 'invoke custom:shout', 'invoke custom:shout']);
  });
});
