import {
  Client,
  ProtocolError,
  StreamableHTTPClientTransport,
  type Tool,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin, type McpActionsProbe } from '../plugin/plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { modernActions, modernActionsPlugin } from './support/modernActionsPlugin';
import { testActionsPlugin } from './support/testActionsPlugin';

// MCP 2026-07-28 through the real 2.x SDK (`@modelcontextprotocol/client`) over Streamable
// HTTP, pinned to the modern revision and in `auto` mode, against a real backend with real
// plugins. The 1.x SDK tests of the legacy era are in the other files, unchanged.

const credentials = new CredentialsTable();
let probe!: McpActionsProbe;
let backend: RunningBackend;
const clients: Client[] = [];

beforeAll(async () => {
  backend = await startBackend({
    features: [
      createMcpActionsPlugin({ credentials, probe: p => (probe = p) }),
      testActionsPlugin,
      modernActionsPlugin,
    ],
    config: {
      backend: { actions: { pluginSources: ['testing', 'modern'] } },
      mcpActions: {
        name: 'backstage-modern',
        instructions: 'Prefer read-only tools.',
        progressInterval: 0.2,
        cache: { toolListTtl: 1 },
        servers: {
          widgets: {
            name: 'Widget tools',
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
});

type Mode = { pin: '2026-07-28' } | 'auto';

async function connect(
  mode: Mode,
  options: { path?: string; headers?: Record<string, string>; onToolsChanged?: (tools: Tool[]) => void } = {},
): Promise<Client> {
  const client = new Client(
    { name: 'modern-e2e', version: '1.0.0' },
    {
      versionNegotiation: { mode },
      ...(options.onToolsChanged && {
        listChanged: {
          tools: {
            onChanged: (error: Error | null, tools: Tool[] | null) => {
              if (!error && tools) options.onToolsChanged!(tools);
            },
          },
        },
      }),
    },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${backend.mcpUrl}${options.path ?? ''}`), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}`, ...options.headers } },
    }),
  );
  clients.push(client);
  return client;
}

const ALL_TOOLS = [
  'modern.colours',
  'modern.wait',
  'testing.delete-widget',
  'testing.divide',
  'testing.echo',
  'testing.explode',
  'testing.find-widget',
  'testing.whoami',
];

describe.each([
  ['pinned to 2026-07-28', { pin: '2026-07-28' } as Mode],
  ['in auto mode', 'auto' as Mode],
])('the 2.x SDK %s', (_, mode) => {
  it('lands on the modern era and reads server/discover', async () => {
    const client = await connect(mode);
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getServerVersion()).toEqual({ name: 'backstage-modern', version: '0.1.0' });
    expect(client.getInstructions()).toBe('Prefer read-only tools.');
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
  });

  it('lists every tool in order and calls one', async () => {
    const client = await connect(mode);
    const { tools } = await client.listTools();
    expect(tools.map(t => t.name)).toEqual(ALL_TOOLS);
    const echo = await client.callTool({ name: 'testing.echo', arguments: { message: 'héllo' } });
    expect(echo.isError).toBeFalsy();
    expect(echo.structuredContent).toEqual({ echoed: 'héllo', length: 5 });
    expect(echo.content).toEqual([{ type: 'text', text: '{"echoed":"héllo","length":5}' }]);
  });

  it('returns an InputError as a tool result the model can read', async () => {
    const client = await connect(mode);
    const result = await client.callTool({
      name: 'testing.divide',
      arguments: { dividend: 1, divisor: 0 },
    });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: 'InputError: cannot divide by zero' }]);
  });
});

describe('2026-07-28 calls', () => {
  it('carry an array output as structuredContent', async () => {
    const client = await connect({ pin: '2026-07-28' });
    const result = await client.callTool({ name: 'modern.colours', arguments: {} });
    expect(result.structuredContent).toEqual(['red', 'green', 'blue']);
  });

  it('report progress on their own response while the action runs', async () => {
    const client = await connect({ pin: '2026-07-28' });
    const progress: Array<{ progress: number; message?: string }> = [];
    const result = await client.callTool(
      { name: 'modern.wait', arguments: { ms: 700 } },
      { onprogress: p => progress.push(p), resetTimeoutOnProgress: true },
    );
    expect(result.structuredContent).toEqual({ waited: 700 });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    progress.forEach((p, i) => {
      expect(p.message).toMatch(/^tool "modern\.wait" has been running for \d+ s$/);
      if (i > 0) expect(p.progress).toBeGreaterThan(progress[i - 1].progress);
    });
  });

  it('are cancelled when the client aborts: the server stops waiting for the action', async () => {
    const client = await connect({ pin: '2026-07-28' });
    const finished = modernActions.finished;
    const abort = new AbortController();
    const call = client.callTool(
      { name: 'modern.wait', arguments: { ms: 1500 } },
      { signal: abort.signal },
    );
    await expect.poll(() => probe.callsInFlight(), { timeout: 5000 }).toBe(1);
    abort.abort('the user pressed stop');
    await expect(call).rejects.toThrow('the user pressed stop');
    // The engine let go of the call at once; the action itself finishes later, unanswered.
    await expect.poll(() => probe.callsInFlight(), { timeout: 1000 }).toBe(0);
    expect(modernActions.finished).toBe(finished);
    expect(probe.openStreams()).toBe(0);
  });

  it('refuse an unknown tool with -32602 naming it', async () => {
    const client = await connect({ pin: '2026-07-28' });
    const error = await client.callTool({ name: 'testing.nope', arguments: {} }).catch(e => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.code).toBe(-32602);
    expect(error.message).toContain('Unknown tool: testing.nope');
  });
});

describe('2026-07-28 scopes', () => {
  it('X-MCP-Readonly: true hides destructive tools', async () => {
    const client = await connect({ pin: '2026-07-28' }, { headers: { 'X-MCP-Readonly': 'true' } });
    const names = (await client.listTools()).tools.map(t => t.name);
    expect(names).not.toContain('testing.delete-widget');
    expect(names).toContain('testing.find-widget');
  });

  it('a named server serves its own tools under its own name', async () => {
    const client = await connect({ pin: '2026-07-28' }, { path: '/widgets' });
    expect(client.getServerVersion()?.name).toBe('Widget tools');
    expect((await client.listTools()).tools.map(t => t.name)).toEqual([
      'testing.delete-widget',
      'testing.find-widget',
    ]);
    const found = await client.callTool({ name: 'testing.find-widget', arguments: { name: 'x' } });
    expect(found.isError).toBe(true);
    expect(found.content).toEqual([{ type: 'text', text: 'NotFoundError: no widget named "x"' }]);
  });
});

describe('subscriptions/listen', () => {
  it('acknowledges the tool list subscription and announces a changed list', async () => {
    const lists: string[][] = [];
    const client = await connect(
      { pin: '2026-07-28' },
      { onToolsChanged: tools => lists.push(tools.map(t => t.name)) },
    );
    const subscription = await client.listen({ toolsListChanged: true, promptsListChanged: true });
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
    modernActions.addLateAction('late');
    // The SDK refetches tools/list when told the list changed.
    await expect.poll(() => lists.at(-1) ?? [], { timeout: 8000, interval: 100 }).toContain(
      'modern.late',
    );
    await subscription.close();
    expect(await subscription.closed).toBe('local');
  });
});
