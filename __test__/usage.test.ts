import { createBackendModule } from '@backstage/backend-plugin-api';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin, { usageReadPermission } from '../plugin';
import { guestAuthConfig, guestUserToken, STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { testActionsPlugin } from './support/testActionsPlugin';

// Usage recorded per call (mcpActions.usage) and the page's report of it
// (GET /api/mcp-actions/ui/v1/usage): two principals through two named clients, every
// outcome counted exactly; everyone's usage only with mcp-actions.usage.read, which a real
// permission backend and policy decide; the caller's own always.

/** A permission policy that allows everything but, when `usage` is false, everyone's usage. */
const policy = (usage: boolean) =>
  createBackendModule({
    pluginId: 'permission',
    moduleId: usage ? 'allow-usage' : 'deny-usage',
    register(reg) {
      reg.registerInit({
        deps: { policy: policyExtensionPoint },
        async init({ policy: point }) {
          point.setPolicy({
            async handle(request) {
              const denied = !usage && request.permission.name === usageReadPermission.name;
              return { result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW };
            },
          });
        },
      });
    },
  });

const start = (usage: boolean) =>
  startBackend({
    features: [
      mcpActionsPlugin,
      testActionsPlugin,
      import('@backstage/plugin-permission-backend'),
      policy(usage),
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      permission: { enabled: true },
      backend: { actions: { pluginSources: ['testing'] } },
      mcpActions: {
        // 2025 sessions, so a 1.x client's clientInfo (said once, at initialize) is known.
        sessions: { stateful: true },
        rateLimits: [{ name: 'echo-two', principal: 'service:*', tool: 'testing.echo', limit: 2, window: '30d' }],
      },
    },
  });

let allowed: RunningBackend;
let denied: RunningBackend;
let guest: string;
let deniedGuest: string;
const clients: ModernClient[] = [];

/** A 2.x client on 2026-07-28 (its clientInfo travels with every request). */
async function client(backend: RunningBackend, token: string, name: string, version: string) {
  const c = new ModernClient({ name, version }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await c.connect(new ModernTransport(new URL(backend.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  clients.push(c);
  return c;
}

async function usage(backend: RunningBackend, token: string, query: string) {
  const res = await fetch(`${backend.baseUrl}/api/mcp-actions/ui/v1/usage?${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

/** The report once `calls` calls were written (replicas write every 5 s). */
async function settled(backend: RunningBackend, token: string, query: string, calls: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await usage(backend, token, query);
    if (answer.body.totals?.calls === calls || Date.now() > deadline) return answer;
    await new Promise(r => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  [allowed, denied] = await Promise.all([start(true), start(false)]);
  [guest, deniedGuest] = await Promise.all([guestUserToken(allowed.baseUrl), guestUserToken(denied.baseUrl)]);
  const cursor = await client(allowed, guest, 'cursor-like', '2.0.0');
  for (const message of ['a', 'b', 'c']) await cursor.callTool({ name: 'testing.echo', arguments: { message } });
  const tool = await cursor.callTool({ name: 'testing.divide', arguments: { dividend: 1, divisor: 0 } });
  expect(tool.isError).toBe(true);
  const claude = await client(allowed, STATIC_TOKEN, 'claude-like', '1.4.2');
  for (const message of ['d', 'e']) await claude.callTool({ name: 'testing.echo', arguments: { message } });
  const limited = await claude.callTool({ name: 'testing.echo', arguments: { message: 'f' } }).catch(e => e);
  expect(limited.data.status).toBe(429);
  const unknown = await claude.callTool({ name: 'testing.nope', arguments: {} }).catch(e => e);
  expect(unknown.code).toBe(-32602);
  const other = await client(denied, deniedGuest, 'cursor-like', '2.0.0');
  await other.callTool({ name: 'testing.echo', arguments: { message: 'mine' } });
  // A 1.x client in a stateful 2025-11-25 session: named by its initialize's clientInfo.
  const legacy = new LegacyClient({ name: 'legacy-sdk-like', version: '1.29.0' });
  await legacy.connect(
    new LegacyTransport(new URL(denied.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${deniedGuest}` } } }),
  );
  await legacy.callTool({ name: 'testing.echo', arguments: { message: 'mine too' } });
  await legacy.close();
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await Promise.all([allowed?.stop(), denied?.stop()]);
});

describe('usage, as a permitted person sees everyone’s', () => {
  it('counts every call by outcome, tool, principal and client, exactly', async () => {
    const { status, body } = await settled(allowed, guest, 'scope=all&period=24h', 8);
    expect(status).toBe(200);
    expect(body).toMatchObject({ scope: 'all', period: '24h', enabled: true, mayReadAll: true, stepMs: 3_600_000 });
    expect(body.totals.calls).toBe(8);
    expect(body.totals.byOutcome).toEqual({
      success: 5,
      tool_error: 1,
      protocol_error: 1,
      rate_limited: 1,
      read_only: 0,
      permission: 0,
      secrets_missing: 0,
      unconfirmed: 0,
    });
    expect(body.series).toHaveLength(24);
    expect(body.series.reduce((n: number, p: { calls: number }) => n + p.calls, 0)).toBe(8);
    const calls = (rows: Array<Record<string, unknown>>, key: string) =>
      Object.fromEntries(rows.map(r => [String(r[key]), r.calls]));
    expect(calls(body.principals, 'principal')).toEqual({ 'user:development/guest': 4, 'service:mcp-tests': 4 });
    expect(calls(body.clients, 'client')).toEqual({ 'cursor-like': 4, 'claude-like': 4 });
    expect(body.clients.find((c: { client: string }) => c.client === 'claude-like').version).toBe('1.4.2');
    expect(calls(body.tools, 'tool')).toEqual({ 'testing.echo': 6, 'testing.divide': 1, 'testing.nope': 1 });
    const echo = body.tools.find((t: { tool: string }) => t.tool === 'testing.echo');
    expect(echo.byOutcome).toMatchObject({ success: 5, rate_limited: 1 });
    expect(echo.p95Ms).toBeGreaterThan(0);
    // Names and numbers only.
    expect(JSON.stringify(body)).not.toMatch(/"(d|e|f|mine)"/);
  });

  it('filters by tool and principal', async () => {
    const { body } = await usage(allowed, guest, 'scope=all&tool=testing.echo&principal=service:mcp-tests');
    expect(body.totals.calls).toBe(3);
    expect(body.totals.byOutcome).toMatchObject({ success: 2, rate_limited: 1 });
  });
});

describe('usage, as each caller sees their own', () => {
  it('shows the signed-in user only theirs, with their limits', async () => {
    const { status, body } = await usage(allowed, guest, 'scope=mine&period=7d');
    expect(status).toBe(200);
    expect(body.scope).toBe('mine');
    expect(body.totals.calls).toBe(4);
    expect(body.principals).toBeUndefined();
    // The permission is asked for one's own usage too, so the page knows to offer everyone's.
    expect(body.mayReadAll).toBe(true);
    expect(body.series).toHaveLength(28);
    // The one rule counts services, not this user.
    expect(body.limits).toEqual([]);
  });

  it('without mcp-actions.usage.read: 403 on everyone’s, 200 on their own', async () => {
    const all = await usage(denied, deniedGuest, 'scope=all');
    expect(all).toEqual({
      status: 403,
      body: {
        error: {
          name: 'NotAllowedError',
          message: 'Seeing everyone’s usage needs the permission mcp-actions.usage.read; scope=mine shows your own'.replace('’', "'"),
        },
        response: { statusCode: 403 },
      },
    });
    const mine = await settled(denied, deniedGuest, 'scope=mine', 2);
    expect(mine.body.totals.calls).toBe(2);
    expect(mine.body.mayReadAll).toBe(false);
    expect(mine.body.clients.map((c: { client: string; version: string }) => `${c.client} ${c.version}`).sort()).toEqual([
      'cursor-like 2.0.0',
      'legacy-sdk-like 1.29.0',
    ]);
  });

  it('downloads as CSV: the caller’s own rows, or everyone’s with the permission', async () => {
    const download = async (backend: RunningBackend, token: string, query: string) => {
      const res = await fetch(`${backend.baseUrl}/api/mcp-actions/ui/v1/usage?format=csv&${query}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return { res, text: await res.text() };
    };
    const mine = await download(allowed, guest, 'scope=mine&period=30d');
    expect(mine.res.status).toBe(200);
    expect(mine.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(mine.res.headers.get('content-disposition')).toBe('attachment; filename="mcp-actions-usage-mine-30d.csv"');
    const rows = mine.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe('minute,server,tool,principal,client,client_version,outcome,calls,duration_ms,avg_ms,result_bytes');
    const cells = rows.slice(1).map(r => r.split(','));
    expect(cells.every(c => c[3] === 'user:development/guest' && c[4] === 'cursor-like' && c[5] === '2.0.0')).toBe(true);
    const sum = (outcome: string) => cells.filter(c => c[6] === outcome).reduce((n, c) => n + Number(c[7]), 0);
    expect([sum('success'), sum('tool_error')]).toEqual([3, 1]);

    const all = await download(allowed, guest, 'scope=all&tool=testing.echo');
    expect(all.text.trimEnd().split('\r\n').slice(1).reduce((n, r) => n + Number(r.split(',')[7]), 0)).toBe(6);
    expect(all.text).not.toMatch(/\b(mine|secret)\b/);
    const refused = await download(denied, deniedGuest, 'scope=all');
    expect(refused.res.status).toBe(403);
    expect(await usage(allowed, guest, 'format=xml')).toMatchObject({
      status: 400,
      body: { error: { name: 'InputError', message: 'format must be json or csv' } },
    });
  });

  it('refuses bad input and services precisely', async () => {
    expect(await usage(allowed, guest, 'period=1y')).toMatchObject({
      status: 400,
      body: { error: { name: 'InputError', message: 'period must be 24h, 7d or 30d' } },
    });
    expect(await usage(allowed, guest, 'scope=everyone')).toMatchObject({
      status: 400,
      body: { error: { name: 'InputError', message: 'scope must be mine or all' } },
    });
    expect((await usage(allowed, STATIC_TOKEN, 'scope=mine')).status).toBe(403);
  });
});
