import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { guestAuthConfig, guestUserToken, OTHER_TOKEN, STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { CapturedLines } from './support/capture';
import { testActionsPlugin } from './support/testActionsPlugin';

// Rate limits per caller (mcpActions.rateLimits) on a real backend: the exact HTTP status,
// JSON-RPC code, data and headers in both eras, the error down a legacy SSE session's stream,
// the SDKs' view of it, rules by principal and by attributes, and callers kept apart.

let backend: RunningBackend;
let guest: string;
const clients: Array<{ close(): Promise<void> }> = [];
const captured = new CapturedLines();

beforeAll(async () => {
  backend = await startBackend({
    features: [
      mcpActionsPlugin,
      testActionsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
      captured.factory(),
    ],
    config: {
      ...guestAuthConfig,
      backend: { actions: { pluginSources: ['testing'] } },
      mcpActions: {
        rateLimits: [
          // Windows are fixed (aligned to the epoch): a long one, so that no boundary passes mid-test.
          { name: 'echo-per-caller', tool: 'testing.echo', limit: 3, window: '30d' },
          { name: 'destructive-per-user', principal: 'user:*', attributes: { destructive: true }, limit: 1, window: '1h' },
          { name: 'ci-daily', principal: 'service:other-client', limit: 2, window: '1d' },
        ],
      },
    },
  });
  guest = await guestUserToken(backend.baseUrl);
});
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await backend?.stop();
});

/** A `tools/call` on the wire, legacy (no protocol header: the first request) or 2026-07-28. */
async function call(token: string, name: string, args: object, modern = false) {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
  };
  const params: Record<string, unknown> = { name, arguments: args };
  if (modern) {
    Object.assign(headers, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': name });
    params._meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'rate-e2e', version: '1.0.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
  }
  const res = await fetch(backend.mcpUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 'call-7', method: 'tools/call', params }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

function expectRefusal(
  answer: Awaited<ReturnType<typeof call>>,
  rule: string,
  limit: number,
  window: string,
  windowMs: number,
) {
  expect(answer.status).toBe(429);
  expect(answer.body.id).toBe('call-7');
  expect(answer.body.error.code).toBe(-32023);
  const { retryAfterMs, ...rest } = answer.body.error.data;
  expect(rest).toEqual({ limit, remaining: 0, rule, window });
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(windowMs);
  expect(answer.body.error.message).toMatch(
    new RegExp(`^Rate limit exceeded: rule "${rule}" allows ${limit} calls per ${window} for each caller \\(mcpActions\\.rateLimits\\); retry in \\d`),
  );
  expect(answer.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
  expect(answer.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(answer.headers.get('ratelimit-remaining')).toBe('0');
}

describe('a caller over a limit', () => {
  it('gets 429 and -32023 with retryAfterMs, limit, remaining and the headers; the action does not run', async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await call(STATIC_TOKEN, 'testing.echo', { message: `hi ${i}` });
      expect(ok.status).toBe(200);
      expect(ok.body.result.structuredContent).toEqual({ echoed: `hi ${i}`, length: 4 });
    }
    expectRefusal(await call(STATIC_TOKEN, 'testing.echo', { message: 'again' }), 'echo-per-caller', 3, '30d', 30 * 86_400_000);
    // The same in the 2026-07-28 era: one budget per caller, whatever the era.
    expectRefusal(await call(STATIC_TOKEN, 'testing.echo', { message: 'modern' }, true), 'echo-per-caller', 3, '30d', 30 * 86_400_000);
    // Another caller has its own budget; another tool is not under the rule.
    expect((await call(OTHER_TOKEN, 'testing.echo', { message: 'mine' })).status).toBe(200);
    expect((await call(STATIC_TOKEN, 'testing.whoami', {})).status).toBe(200);
  });

  it('reaches the 1.x SDK as an HTTP 429 error carrying the JSON-RPC error, and a legacy SSE session as an McpError down its stream', async () => {
    const client = new Client({ name: 'rate-sdk', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
      }),
    );
    clients.push(client);
    const refused = await client.callTool({ name: 'testing.echo', arguments: { message: 'x' } }).catch(e => e);
    // The SDK's transport turns any status but 2xx into an error of its own: code 429, the
    // body (the JSON-RPC error) in its message.
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect(refused.code).toBe(429);
    const body = JSON.parse(String(refused.message).replace(/^Streamable HTTP error: Error POSTing to endpoint: /, ''));
    expect(body.error).toMatchObject({ code: -32023, data: { limit: 3, remaining: 0, rule: 'echo-per-caller' } });

    const sse = new Client({ name: 'rate-sse', version: '1.0.0' });
    await sse.connect(
      new SSEClientTransport(new URL(`${backend.mcpUrl}/sse`), {
        requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
      }),
    );
    clients.push(sse);
    const down = await sse.callTool({ name: 'testing.echo', arguments: { message: 'x' } }).catch(e => e);
    expect(down).toBeInstanceOf(McpError);
    expect(down.code).toBe(-32023);
    expect(down.data).toMatchObject({ limit: 3, remaining: 0, rule: 'echo-per-caller', window: '30d' });
    expect(down.data.retryAfterMs).toBeGreaterThan(0);
  });

  it('reaches the 2.x SDK on 2026-07-28 as an HTTP 429 error with the JSON-RPC error in its body', async () => {
    const client = new ModernClient({ name: 'rate-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(
      new ModernTransport(new URL(backend.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } } }),
    );
    clients.push(client);
    const refused = await client.callTool({ name: 'testing.echo', arguments: { message: 'x' } }).catch(e => e);
    expect(refused.data.status).toBe(429);
    const body = JSON.parse(refused.data.text);
    expect(body.error).toMatchObject({ code: -32023, data: { limit: 3, remaining: 0, rule: 'echo-per-caller', window: '30d' } });
  });
});

describe('rules by principal and by attributes', () => {
  it('holds a user to one destructive call an hour, and leaves services and read-only tools alone', async () => {
    expect((await call(guest, 'testing.delete-widget', { name: 'w' })).body.result.structuredContent).toEqual({ deleted: true });
    expectRefusal(await call(guest, 'testing.delete-widget', { name: 'w' }), 'destructive-per-user', 1, '1h', 3_600_000);
    expect((await call(guest, 'testing.whoami', {})).status).toBe(200);
    // `user:*` does not match a static token's service principal.
    expect((await call(STATIC_TOKEN, 'testing.delete-widget', { name: 'w' })).status).toBe(200);
    expect((await call(STATIC_TOKEN, 'testing.delete-widget', { name: 'w' })).status).toBe(200);
  });

  it('gives one service a daily quota across tools', async () => {
    expect((await call(OTHER_TOKEN, 'testing.whoami', {})).status).toBe(200);
    // Its echo above counted: this is its third call today.
    expectRefusal(await call(OTHER_TOKEN, 'testing.whoami', {}), 'ci-daily', 2, '1d', 86_400_000);
  });
});

describe('the audit log', () => {
  it('records each refusal as a failed tool-call event naming the caller and the rule', () => {
    const refusals = captured.lines
      .map(line => JSON.parse(line))
      .filter(e => e.isAuditEvent && e.status === 'failed' && String(e.error?.message ?? e.error).includes('Rate limit exceeded'));
    expect(refusals.length).toBeGreaterThanOrEqual(5);
    const one = refusals.find(e => String(e.error?.message ?? e.error).includes('rule "destructive-per-user"'));
    expect(one).toBeDefined();
    expect(JSON.stringify(one)).toContain('user:development/guest');
  });
});
