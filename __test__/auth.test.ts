import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin } from '../plugin/plugin';
import {
  OTHER_TOKEN,
  STATIC_TOKEN,
  guestAuthConfig,
  guestUserToken,
  startBackend,
  type RunningBackend,
} from './support/backend';
import { RecordingLogger, recordingRootLogger } from './support/recordingLogger';
import { testActionsPlugin } from './support/testActionsPlugin';

const log = new RecordingLogger();
let oauth: RunningBackend;
let plain: RunningBackend;
let userToken: string;
const clients: Client[] = [];

const servers = { widgets: { name: 'Widgets', filter: { include: [{ id: 'testing:*-widget' }] } } };

beforeAll(async () => {
  oauth = await startBackend({
    features: [
      recordingRootLogger(log),
      mcpActionsPlugin,
      testActionsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      auth: {
        ...(guestAuthConfig.auth as object),
        experimentalDynamicClientRegistration: { enabled: true },
        experimentalRefreshToken: { enabled: true },
      },
      mcpActions: { servers },
    },
  });
  plain = await startBackend({
    features: [mcpActionsPlugin, testActionsPlugin],
    config: { mcpActions: { servers } },
  });
  userToken = await guestUserToken(oauth.baseUrl);
});
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await oauth?.stop();
  await plain?.stop();
});

async function connect(url: string, token: string) {
  const client = new Client({ name: 'auth-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

function ping(url: string, headers: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
}

/** An unsigned JWT with the given claims (what an expired Backstage token looks like). */
function jwt(claims: object) {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'ES256', typ: 'JWT', kid: 'x' })}.${enc(claims)}.c2lnbmF0dXJl`;
}

describe('principals', () => {
  it('accepts static tokens with different subjects', async () => {
    for (const token of [STATIC_TOKEN, OTHER_TOKEN]) {
      const client = await connect(oauth.mcpUrl, token);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    }
  });

  it('runs tools as the user of a Backstage user token', async () => {
    const client = await connect(oauth.mcpUrl, userToken);
    const result = await client.callTool({ name: 'testing.whoami' });
    expect(result.structuredContent).toEqual({ type: 'user', subject: 'user:development/guest' });
  });
});

describe('401 challenges', () => {
  const metadata = (b: RunningBackend, suffix = '') =>
    `${b.baseUrl}/.well-known/oauth-protected-resource/api/mcp-actions/v1${suffix}`;

  it('names the protected-resource metadata when OAuth is configured', async () => {
    const res = await ping(oauth.mcpUrl, {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadata(oauth)}"`,
    );
    const named = await ping(`${oauth.mcpUrl}/widgets`, {});
    expect(named.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadata(oauth, '/widgets')}"`,
    );
  });

  it('is a plain bearer challenge without OAuth', async () => {
    const res = await ping(plain.mcpUrl, {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses an expired JWT before authentication, with the reason', async () => {
    const expired = jwt({ sub: 'user:default/jane', exp: Math.floor(Date.now() / 1000) - 3600 });
    const res = await ping(oauth.mcpUrl, { Authorization: `Bearer ${expired}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadata(oauth)}", error="invalid_token", error_description="the access token expired"`,
    );
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error).toEqual({ code: -32001, message: 'Unauthorized: the access token expired' });
  });

  it('leaves a valid-looking JWT that Backstage does not know to Backstage', async () => {
    const forged = jwt({ sub: 'user:default/jane', exp: Math.floor(Date.now() / 1000) + 3600 });
    const res = await ping(oauth.mcpUrl, { Authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(
      'error_description="the access token is invalid or expired"',
    );
  });
});

describe('OAuth discovery', () => {
  it('serves protected-resource metadata for the default and a named server', async () => {
    const res = await fetch(`${oauth.baseUrl}/.well-known/oauth-protected-resource/api/mcp-actions/v1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: `${oauth.baseUrl}/api/mcp-actions/v1`,
      authorization_servers: [`${oauth.baseUrl}/api/auth`],
      scopes_supported: ['openid', 'offline_access'],
      bearer_methods_supported: ['header'],
    });
    const named = await fetch(
      `${oauth.baseUrl}/.well-known/oauth-protected-resource/api/mcp-actions/v1/widgets`,
    );
    expect(((await named.json()) as { resource: string }).resource).toBe(
      `${oauth.baseUrl}/api/mcp-actions/v1/widgets`,
    );
    const unknown = await fetch(
      `${oauth.baseUrl}/.well-known/oauth-protected-resource/api/mcp-actions/v1/nope`,
    );
    expect(unknown.status).toBe(404);
  });

  it('proxies the auth backend’s OpenID configuration as authorization-server metadata', async () => {
    const res = await fetch(`${oauth.baseUrl}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { issuer: string; token_endpoint: string };
    expect(body.issuer).toBe(`${oauth.baseUrl}/api/auth`);
    expect(body.token_endpoint).toContain('/api/auth');
  });

  it('serves neither without OAuth configured', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource/api/mcp-actions/v1',
      '/.well-known/oauth-authorization-server',
    ]) {
      expect((await fetch(`${plain.baseUrl}${path}`)).status).toBe(404);
    }
  });
});

describe('Origin validation', () => {
  it('serves the backend’s own origin, localhost and non-browser clients', async () => {
    for (const origin of [oauth.baseUrl, 'http://localhost:6274', undefined]) {
      const res = await ping(oauth.mcpUrl, {
        Authorization: `Bearer ${STATIC_TOKEN}`,
        ...(origin ? { Origin: origin } : {}),
      });
      expect({ origin, status: res.status }).toEqual({ origin, status: 200 });
    }
  });

  it('refuses any other origin with 403 and a JSON-RPC error', async () => {
    const res = await ping(oauth.mcpUrl, {
      Authorization: `Bearer ${STATIC_TOKEN}`,
      Origin: 'http://evil.example',
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { jsonrpc: string; error: { message: string } };
    expect(body.jsonrpc).toBe('2.0');
    expect(body.error.message).toContain('http://evil.example');
  });
});

describe('no leaks', () => {
  it('never writes a token to the log', async () => {
    const expired = jwt({ sub: 'user:default/jane', exp: 1 });
    await ping(oauth.mcpUrl, { Authorization: `Bearer ${expired}` });
    await ping(oauth.mcpUrl, { Authorization: 'Bearer wrong-token-abcdef' });
    const client = await connect(oauth.mcpUrl, userToken);
    await client.callTool({ name: 'testing.explode' }).catch(() => {});
    await client.callTool({ name: 'testing.divide', arguments: { dividend: 1, divisor: 0 } });
    const text = log.lines.join('\n');
    expect(log.lines.length).toBeGreaterThan(10);
    expect(text).toContain('tool call failed');
    for (const token of [STATIC_TOKEN, OTHER_TOKEN, userToken, expired, 'wrong-token-abcdef']) {
      expect(text.includes(token), `a token is in the log`).toBe(false);
    }
  });
});

/** Counts how often Backstage's httpAuth accepted a caller (each acceptance adds a handle). */
class CountingTable extends CredentialsTable {
  accepted = 0;
  override add(...args: Parameters<CredentialsTable['add']>) {
    this.accepted += 1;
    return super.add(...args);
  }
}

describe('credentials cache', () => {
  it.each([
    ['on', {}, 1],
    ['off', { credentialsCache: { maxEntries: 0 } }, 10],
  ])('asks httpAuth once per token when %s', async (_, mcpActions, expected) => {
    const table = new CountingTable();
    const b = await startBackend({
      features: [createMcpActionsPlugin({ credentials: table }), testActionsPlugin],
      config: { mcpActions: mcpActions as never },
    });
    try {
      for (let i = 0; i < 10; i++) {
        expect((await ping(b.mcpUrl, { Authorization: `Bearer ${STATIC_TOKEN}` })).status).toBe(200);
      }
      expect(table.accepted).toBe(expected);
      // A wrong token is never cached: each attempt is Backstage's to refuse.
      for (let i = 0; i < 2; i++) {
        expect((await ping(b.mcpUrl, { Authorization: 'Bearer nope-nope' })).status).toBe(401);
      }
      expect(table.accepted).toBe(expected);
    } finally {
      await b.stop();
    }
  });
});
