import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin, type McpActionsProbe } from '../plugin/plugin';
import {
  OTHER_TOKEN,
  STATIC_TOKEN,
  startBackend,
  type RunningBackend,
} from './support/backend';
import { inventoryActionsPlugin } from './support/inventoryActionsPlugin';
import { testActionsPlugin } from './support/testActionsPlugin';

interface Instance {
  backend: RunningBackend;
  credentials: CredentialsTable;
  probe: McpActionsProbe;
}

const running: RunningBackend[] = [];

async function start(sessions: object, mcpActions: object = {}): Promise<Instance> {
  const credentials = new CredentialsTable();
  let probe!: McpActionsProbe;
  const backend = await startBackend({
    features: [
      createMcpActionsPlugin({ credentials, probe: p => (probe = p) }),
      testActionsPlugin,
      inventoryActionsPlugin,
    ],
    config: {
      backend: { actions: { pluginSources: ['testing', 'inventory'] } },
      mcpActions: {
        ...(mcpActions as object),
        sessions: sessions as never,
        servers: { widgets: { name: 'Widgets', filter: { include: [{ id: 'testing:*-widget' }] } } },
      },
    },
  });
  running.push(backend);
  return { backend, credentials, probe };
}

afterAll(async () => {
  await Promise.all(running.map(b => b.stop()));
});

async function eventually(check: () => boolean, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

/** A raw legacy SSE stream, read as text. */
async function openStream(url: string, token = STATIC_TOKEN) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  let text = '';
  let done = false;
  const reader = res.body!.getReader();
  const pump = (async () => {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
    } catch {
      // aborted
    }
    done = true;
  })();
  return {
    res,
    text: () => text,
    done: () => done,
    close: async () => {
      controller.abort();
      await pump;
    },
    endpoint: async () => {
      await eventually(() => text.includes('event: endpoint'), 'the endpoint event');
      return /event: endpoint\ndata: (\S+)/.exec(text)![1];
    },
  };
}

function jsonPost(url: string, body: unknown, token = STATIC_TOKEN) {
  return fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('legacy HTTP+SSE transport', () => {
  let main: Instance;
  beforeAll(async () => {
    main = await start({});
  });

  it('lists and calls tools through SSEClientTransport', async () => {
    const client = new Client({ name: 'legacy', version: '1.0.0' });
    const transport = new SSEClientTransport(new URL(`${main.backend.mcpUrl}/sse`), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe('backstage');
    const { tools } = await client.listTools();
    expect(tools.map(t => t.name)).toContain('testing.echo');
    const result = await client.callTool({ name: 'testing.echo', arguments: { message: 'sse' } });
    expect(result.structuredContent).toEqual({ echoed: 'sse', length: 3 });
    const failed = await client.callTool({
      name: 'testing.divide',
      arguments: { dividend: 1, divisor: 0 },
    });
    expect(failed.isError).toBe(true);
    expect(main.probe.sessionCount()).toBe(1);
    await client.close();
    await eventually(() => main.probe.sessionCount() === 0, 'the session to close');
    expect(main.credentials.size).toBe(main.probe.cachedCredentials());
  });

  it('serves named servers at /v1/{key}/sse', async () => {
    const client = new Client({ name: 'legacy-named', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(new URL(`${main.backend.mcpUrl}/widgets/sse`), {
        requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
      }),
    );
    expect(client.getServerVersion()?.name).toBe('Widgets');
    const { tools } = await client.listTools();
    expect(tools.map(t => t.name)).toEqual(['testing.delete-widget', 'testing.find-widget']);
    await client.close();
  });

  it('names the messages endpoint the way official 0.1.x did', async () => {
    const stream = await openStream(`${main.backend.mcpUrl}/sse`);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream');
    expect(await stream.endpoint()).toMatch(
      /^\/api\/mcp-actions\/v1\/sse\/messages\?sessionId=[0-9a-f]{40}$/,
    );
    await stream.close();
  });

  it('refuses a POST from another principal with 403 and never runs it', async () => {
    const stream = await openStream(`${main.backend.mcpUrl}/sse`, STATIC_TOKEN);
    const endpoint = new URL(await stream.endpoint(), main.backend.baseUrl).toString();
    const call = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'inventory.add-item', arguments: { item: 'stolen' } },
    };
    const res = await jsonPost(endpoint, call, OTHER_TOKEN);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Forbidden: this session belongs to another principal',
    );
    // The owner's own POST works, and shows the item was never added.
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'inventory.list-items' } };
    expect((await jsonPost(endpoint, list)).status).toBe(202);
    await eventually(() => stream.text().includes('"id":2'), 'the answer on the stream');
    expect(stream.text()).not.toContain('stolen');
    expect(stream.text()).toContain('\\"items\\":[\\"bolt\\",\\"nut\\"]');
    await stream.close();
  });

  it('answers a POST without a token with 401 before looking at the session', async () => {
    const res = await fetch(`${main.backend.mcpUrl}/sse/messages?sessionId=x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('answers unknown and missing sessions at once, with a JSON-RPC body', async () => {
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    const unknown = await jsonPost(
      `${main.backend.mcpUrl}/sse/messages?sessionId=${'ab'.repeat(20)}`,
      ping,
    );
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(-32001);
    const missing = await jsonPost(`${main.backend.mcpUrl}/sse/messages`, ping);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'sessionId',
    );
  });

  it('frees the session and every credentials handle when clients disconnect', async () => {
    const streams = await Promise.all([1, 2, 3].map(() => openStream(`${main.backend.mcpUrl}/sse`)));
    await Promise.all(streams.map(s => s.endpoint()));
    expect(main.probe.sessionCount()).toBe(3);
    await Promise.all(streams.map(s => s.close()));
    await eventually(() => main.probe.sessionCount() === 0, 'sessions to close');
    expect(main.probe.openStreams()).toBe(0);
    expect(main.credentials.size).toBe(main.probe.cachedCredentials());
  });
});

describe('stateful Streamable HTTP', () => {
  let stateful: Instance;
  beforeAll(async () => {
    stateful = await start({ stateful: true });
  });

  it('keeps the session id, opens the GET stream and sends DELETE to end it', async () => {
    const client = new Client({ name: 'stateful', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(stateful.backend.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    });
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f]{40}$/);
    await eventually(() => stateful.probe.openStreams() === 1, 'the GET stream to open');
    const result = await client.callTool({ name: 'testing.echo', arguments: { message: 's' } });
    expect(result.structuredContent).toEqual({ echoed: 's', length: 1 });
    expect(stateful.probe.sessionCount()).toBe(1);
    await transport.terminateSession();
    expect(stateful.probe.sessionCount()).toBe(0);
    await client.close();
    await eventually(() => stateful.probe.openStreams() === 0, 'the GET stream to end');
    expect(stateful.credentials.size).toBe(stateful.probe.cachedCredentials());
  });

  it('refuses requests without, with unknown, or with someone else’s session id', async () => {
    const headers = {
      Authorization: `Bearer ${STATIC_TOKEN}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    };
    const init = await fetch(stateful.backend.mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    const id = init.headers.get('mcp-session-id')!;
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' });
    const post = (extra: Record<string, string>) =>
      fetch(stateful.backend.mcpUrl, { method: 'POST', headers: { ...headers, ...extra }, body: ping });
    expect((await post({})).status).toBe(400);
    expect((await post({ 'Mcp-Session-Id': 'f'.repeat(40) })).status).toBe(404);
    expect((await post({ 'Mcp-Session-Id': id, Authorization: `Bearer ${OTHER_TOKEN}` })).status).toBe(403);
    expect((await post({ 'Mcp-Session-Id': id })).status).toBe(200);
    const del = await fetch(stateful.backend.mcpUrl, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${STATIC_TOKEN}`, 'Mcp-Session-Id': id },
    });
    expect(del.status).toBe(204);
    expect((await post({ 'Mcp-Session-Id': id })).status).toBe(404);
  });

  it('starts the GET stream with a priming event for 2025-11-25', async () => {
    const init = await fetch(stateful.backend.mcpUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${STATIC_TOKEN}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    const id = init.headers.get('mcp-session-id')!;
    const controller = new AbortController();
    const res = await fetch(stateful.backend.mcpUrl, {
      headers: { Authorization: `Bearer ${STATIC_TOKEN}`, 'Mcp-Session-Id': id, Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const first = await res.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toBe('id: 0\nretry: 3000\ndata: \n\n');
    controller.abort();
  });
});

describe('session lifecycle and limits', () => {
  let short: Instance;
  beforeAll(async () => {
    // With the credentials cache off, every handle belongs to a request or a stream.
    short = await start(
      {
        idleTimeoutSeconds: 1,
        keepAliveSeconds: 0.2,
        maxSessionsPerPrincipal: 2,
        maxSessions: 3,
      },
      { credentialsCache: { maxEntries: 0 } },
    );
  });

  it('keeps idle streams alive with comments, then expires them', async () => {
    const stream = await openStream(`${short.backend.mcpUrl}/sse`);
    await stream.endpoint();
    await eventually(() => stream.text().includes(': keep-alive\n\n'), 'a keep-alive comment');
    await eventually(() => stream.done(), 'the idle session to expire', 4000);
    expect(short.probe.sessionCount()).toBe(0);
    expect(short.probe.openStreams()).toBe(0);
    const endpoint = new URL(/data: (\S+)/.exec(stream.text())![1], short.backend.baseUrl);
    const late = await jsonPost(endpoint.toString(), { jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(late.status).toBe(404);
  });

  it('refuses a session over the per-principal limit with 429, over the global one with 503', async () => {
    const a = await openStream(`${short.backend.mcpUrl}/sse`);
    const b = await openStream(`${short.backend.mcpUrl}/sse`);
    await Promise.all([a.endpoint(), b.endpoint()]);
    const third = await fetch(`${short.backend.mcpUrl}/sse`, {
      headers: { Authorization: `Bearer ${STATIC_TOKEN}` },
    });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('30');
    const body = (await third.json()) as { jsonrpc: string; error: { message: string } };
    expect(body.jsonrpc).toBe('2.0');
    expect(body.error.message).toMatch(/^Too Many Requests/);
    const other = await openStream(`${short.backend.mcpUrl}/sse`, OTHER_TOKEN);
    await other.endpoint();
    const fourth = await fetch(`${short.backend.mcpUrl}/sse`, {
      headers: { Authorization: `Bearer ${OTHER_TOKEN}` },
    });
    expect(fourth.status).toBe(503);
    await Promise.all([a.close(), b.close(), other.close()]);
    await eventually(() => short.probe.sessionCount() === 0, 'sessions to close');
    expect(short.credentials.size).toBe(0);
  });

  it('ends open streams cleanly when the backend shuts down', async () => {
    const doomed = await start({});
    const stream = await openStream(`${doomed.backend.mcpUrl}/sse`);
    await stream.endpoint();
    const started = Date.now();
    await doomed.backend.stop();
    running.splice(running.indexOf(doomed.backend), 1);
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually(() => stream.done(), 'the stream to end');
    expect(doomed.probe.sessionCount()).toBe(0);
  });
});
