import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin, type McpActionsProbe } from '../plugin/plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';

// Long calls and limits, each with a precise answer: progress, the call timeout, calls in
// flight per principal, the request body size, and a client that goes away.

const slowActionsPlugin = createBackendPlugin({
  pluginId: 'slow',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'wait',
          title: 'Wait',
          description: 'Answers after the given number of milliseconds.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ ms: z.number().int().min(0).max(60_000) }),
            output: z => z.object({ waited: z.number() }),
          },
          action: async ({ input }) => {
            await new Promise(resolve => setTimeout(resolve, input.ms));
            return { output: { waited: input.ms } };
          },
        });
      },
    });
  },
});

let backend: RunningBackend;
let probe: McpActionsProbe;
const credentials = new CredentialsTable();
const clients: Client[] = [];

beforeAll(async () => {
  backend = await startBackend({
    features: [
      createMcpActionsPlugin({ credentials, probe: p => (probe = p) }),
      slowActionsPlugin,
    ],
    config: {
      backend: { actions: { pluginSources: ['slow'] } },
      mcpActions: {
        toolCallTimeout: 1,
        progressInterval: 0.2,
        limits: { maxConcurrentCallsPerPrincipal: 2, maxRequestBodyBytes: 2048 },
      },
    },
  });
});
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await backend?.stop();
});

async function connect(): Promise<Client> {
  const client = new Client({ name: 'limits-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    }),
  );
  clients.push(client);
  return client;
}

/** `slow.wait` called with plain `fetch` (no SDK), as a well-behaved client would. */
function callWait(args: object, signal?: AbortSignal): Promise<Response> {
  return fetch(backend.mcpUrl, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${STATIC_TOKEN}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'slow.wait', arguments: args },
    }),
    signal,
  });
}

/** A client of the legacy HTTP+SSE transport. */
async function connectSse(): Promise<Client> {
  const client = new Client({ name: 'limits-sse', version: '1.0.0' });
  await client.connect(
    new SSEClientTransport(new URL(`${backend.mcpUrl}/sse`), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    }),
  );
  clients.push(client);
  return client;
}

describe('progress of a long call (mcpActions.progressInterval)', () => {
  const watch = async (client: Client) => {
    const progress: Array<{ progress: number; message?: string }> = [];
    const result = await client.callTool(
      { name: 'slow.wait', arguments: { ms: 750 } },
      undefined,
      { onprogress: p => progress.push(p), resetTimeoutOnProgress: true },
    );
    expect(result.structuredContent).toEqual({ waited: 750 });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(4);
    progress.forEach((p, i) => {
      expect(p.message).toMatch(/^tool "slow\.wait" has been running for \d+ s$/);
      if (i > 0) expect(p.progress).toBeGreaterThan(progress[i - 1].progress);
    });
    expect(progress[0].progress).toBeGreaterThanOrEqual(0.2);
  };

  it('reaches a Streamable HTTP client before the answer, on the same response', async () => {
    await watch(await connect());
  });

  it('reaches a legacy SSE client down its session stream', async () => {
    await watch(await connectSse());
  });

  it('is not sent when the client did not ask for it', async () => {
    const res = await callWait({ ms: 500 });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { result: { structuredContent: unknown } };
    expect(body.result.structuredContent).toEqual({ waited: 500 });
  });
});

describe('mcpActions.toolCallTimeout', () => {
  it('ends a call that takes longer with an isError result naming the timeout', async () => {
    const client = await connect();
    const started = Date.now();
    const result = await client.callTool({ name: 'slow.wait', arguments: { ms: 3000 } });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([
      {
        type: 'text',
        text: 'TimeoutError: the action did not finish within 1 seconds (mcpActions.toolCallTimeout); it may still complete on the server',
      },
    ]);
  });

  it('lets a call that finishes in time answer', async () => {
    const client = await connect();
    const result = await client.callTool({ name: 'slow.wait', arguments: { ms: 100 } });
    expect(result.structuredContent).toEqual({ waited: 100 });
  });
});

describe('mcpActions.limits.maxConcurrentCallsPerPrincipal', () => {
  it('refuses a third call while two run, with code -32029 and a retry hint', async () => {
    const client = await connect();
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(() => client.callTool({ name: 'slow.wait', arguments: { ms: 400 } })),
    );
    const answered = outcomes.filter(o => o.status === 'fulfilled');
    const refused = outcomes.filter(o => o.status === 'rejected');
    expect(answered).toHaveLength(2);
    expect(refused).toHaveLength(1);
    const error = (refused[0] as PromiseRejectedResult).reason as McpError;
    expect(error).toBeInstanceOf(McpError);
    expect(error.code).toBe(-32029);
    expect(error.message).toBe(
      'MCP error -32029: Too many tool calls in flight for this caller: 2 are running (mcpActions.limits.maxConcurrentCallsPerPrincipal); retry when one has finished',
    );
    expect(error.data).toEqual({ retryAfterSeconds: 1, limit: 2 });
    // Once they are done, the caller may call again.
    const again = await client.callTool({ name: 'slow.wait', arguments: { ms: 1 } });
    expect(again.structuredContent).toEqual({ waited: 1 });
  });
});

describe('mcpActions.limits.maxRequestBodyBytes', () => {
  it('answers a larger body 413 with a JSON-RPC error naming the limit', async () => {
    const res = await callWait({ ms: 1, pad: 'x'.repeat(3000) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message:
          'Payload Too Large: the request body is larger than 2048 bytes (mcpActions.limits.maxRequestBodyBytes)',
      },
    });
  });
});

describe('a client that goes away mid-call', () => {
  it('has its call abandoned and its credentials handle released at once', async () => {
    const aborter = new AbortController();
    const pending = callWait({ ms: 900 }, aborter.signal).catch(e => e as Error);
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(probe.callsInFlight()).toBe(1);
    aborter.abort();
    expect(((await pending) as Error).name).toBe('AbortError');
    await new Promise(resolve => setTimeout(resolve, 100));
    // Well before the action ends (900 ms) or the call times out (1 s).
    expect(probe.callsInFlight()).toBe(0);
    expect(credentials.size).toBe(probe.cachedCredentials());
  });
});

describe('notifications/cancelled', () => {
  const cancelMidCall = async (client: Client) => {
    const aborter = new AbortController();
    const call = client
      .callTool({ name: 'slow.wait', arguments: { ms: 900 } }, undefined, { signal: aborter.signal })
      .then(
        () => 'answered',
        (e: Error) => e.name,
      );
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(probe.callsInFlight()).toBe(1);
    // The SDK sends notifications/cancelled with the request's id.
    aborter.abort('the user pressed stop');
    expect(await call).not.toBe('answered');
    await new Promise(resolve => setTimeout(resolve, 150));
    // Well before the action ends (900 ms) or the call times out (1 s).
    expect(probe.callsInFlight()).toBe(0);
  };

  it('stops a Streamable HTTP client’s running call', async () => {
    await cancelMidCall(await connect());
  });

  it('stops a legacy SSE client’s running call', async () => {
    const client = await connectSse();
    await cancelMidCall(client);
    // The session goes on.
    const again = await client.callTool({ name: 'slow.wait', arguments: { ms: 1 } });
    expect(again.structuredContent).toEqual({ waited: 1 });
  });
});

describe('after all of the above', () => {
  it('no call is counted and no credentials handle is held but the cache’s', async () => {
    // The timed-out call's action may still be running in the registry; its handle was
    // released when its request ended.
    await new Promise(resolve => setTimeout(resolve, 2500));
    expect(probe.callsInFlight()).toBe(0);
    expect(credentials.size).toBe(probe.cachedCredentials());
  });
});
