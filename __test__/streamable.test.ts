import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin, type McpActionsProbe } from '../plugin/plugin';
import {
  STATIC_TOKEN,
  guestAuthConfig,
  guestUserToken,
  startBackend,
  type RunningBackend,
} from './support/backend';
import { testActionsPlugin } from './support/testActionsPlugin';

const credentials = new CredentialsTable();
let probe!: McpActionsProbe;
let backend: RunningBackend;
const clients: Client[] = [];

beforeAll(async () => {
  backend = await startBackend({
    features: [
      createMcpActionsPlugin({ credentials, probe: p => (probe = p) }),
      testActionsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      mcpActions: { instructions: 'Prefer read-only tools.' },
    },
  });
});
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await backend?.stop();
});

async function connect(token = STATIC_TOKEN): Promise<Client> {
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

async function callError(client: Client, name: string, args: object) {
  const error = await client
    .callTool({ name, arguments: args as Record<string, unknown> })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe('MCP client over Streamable HTTP, real backend', () => {
  it('initializes: server identity, instructions, negotiated revision', async () => {
    const client = await connect();
    expect(client.getServerVersion()).toEqual({
      name: 'backstage',
      version: require('../package.json').version,
    });
    expect(client.getInstructions()).toBe('Prefer read-only tools.');
    // Resources: the results over the budget (mcpActions.results.maxChars, on by default) and
    // the MCP Apps views; the extension, on by default.
    expect(client.getServerCapabilities()).toEqual({
      tools: {},
      resources: {},
      extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } },
    });
  });

  it('lists every registered action as a tool with annotations and schemas', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map(t => t.name).sort()).toEqual([
      'testing.delete-widget',
      'testing.divide',
      'testing.echo',
      'testing.explode',
      'testing.find-widget',
      'testing.whoami',
    ]);
    const echo = tools.find(t => t.name === 'testing.echo')!;
    expect(echo.title).toBe('Echo');
    expect(echo.description).toBe(
      'Returns the message it was given, and its length.',
    );
    expect(echo.annotations).toEqual({
      title: 'Echo',
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(echo.inputSchema).toMatchObject({
      type: 'object',
      properties: { message: { type: 'string', description: 'What to echo' } },
      required: ['message'],
    });
    expect(echo.outputSchema).toMatchObject({
      type: 'object',
      properties: { echoed: { type: 'string' }, length: { type: 'number' } },
    });
    const del = tools.find(t => t.name === 'testing.delete-widget')!;
    expect(del.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
    });
  });

  it('calls a tool: JSON text plus structuredContent', async () => {
    const client = await connect();
    const result = await client.callTool({
      name: 'testing.echo',
      arguments: { message: 'hello' },
    });
    expect(result).toEqual({
      content: [{ type: 'text', text: '{"echoed":"hello","length":5}' }],
      structuredContent: { echoed: 'hello', length: 5 },
    });
  });

  it('runs tools as the calling user', async () => {
    const client = await connect(await guestUserToken(backend.baseUrl));
    const result = await client.callTool({ name: 'testing.whoami' });
    expect(result.structuredContent).toEqual({
      type: 'user',
      subject: 'user:development/guest',
    });
  });

  it('runs tools for a static-token client as a service, never as a user', async () => {
    const client = await connect(STATIC_TOKEN);
    const result = await client.callTool({ name: 'testing.whoami' });
    // Backstage turns an external service caller into this plugin's service identity
    // for the plugin-to-plugin hop, exactly as with the official plugin.
    expect(result.structuredContent).toEqual({
      type: 'service',
      subject: 'plugin:mcp-actions',
    });
  });

  it('turns an InputError into an isError result that carries the cause', async () => {
    const client = await connect();
    const result = await client.callTool({
      name: 'testing.divide',
      arguments: { dividend: 1, divisor: 0 },
    });
    expect(result).toEqual({
      content: [{ type: 'text', text: 'InputError: cannot divide by zero' }],
      isError: true,
    });
  });

  it('reports arguments the registry rejects as an isError result', async () => {
    const client = await connect();
    const result = await client.callTool({
      name: 'testing.divide',
      arguments: { dividend: 'one', divisor: 2 },
    });
    expect(result.isError).toBe(true);
    const text = (result.content as Array<{ text: string }>)[0].text;
    // The registry's InputError carries the validation failure, so the model can fix it.
    expect(text).toMatch(
      /^InputError: Invalid input to action "testing:divide"; caused by \[/,
    );
    expect(text).toContain('"dividend"');
    expect(text).toContain('Expected number, received string');
  });

  it('passes a NotFoundError thrown inside an action through as a tool error', async () => {
    const client = await connect();
    const result = await client.callTool({
      name: 'testing.find-widget',
      arguments: { name: 'sprocket' },
    });
    expect(result).toEqual({
      content: [
        { type: 'text', text: 'NotFoundError: no widget named "sprocket"' },
      ],
      isError: true,
    });
  });

  it('answers an unknown tool with -32602', async () => {
    const client = await connect();
    for (const name of ['testing.nope', 'elsewhere.thing', 'nodots']) {
      const error = await callError(client, name, {});
      expect({ name, code: error.code }).toEqual({ name, code: -32602 });
      expect(error.message).toContain(`Unknown tool: ${name}`);
    }
  });

  it('answers a plain Error from an action with -32603 and leaks nothing', async () => {
    const client = await connect();
    const error = await callError(client, 'testing.explode', {});
    expect(error.code).toBe(-32603);
    expect(error.message).toContain('testing.explode');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('postgres');
  });

  it('releases every credentials handle when its request ends', async () => {
    const client = await connect();
    await Promise.all([
      client.listTools(),
      client.callTool({ name: 'testing.echo', arguments: { message: 'x' } }),
      client.callTool({
        name: 'testing.divide',
        arguments: { dividend: 1, divisor: 0 },
      }),
      callError(client, 'testing.explode', {}),
      callError(client, 'testing.nope', {}),
    ]);
    // Only the credentials cache still holds handles: one per token it remembers.
    expect(probe.cachedCredentials()).toBeGreaterThan(0);
    expect(credentials.size).toBe(probe.cachedCredentials());
  });
});
