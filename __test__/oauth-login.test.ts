import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
  UnauthorizedError as ModernUnauthorizedError,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import {
  freePort,
  guestAuthConfig,
  guestUserToken,
  startBackend,
  type RunningBackend,
} from './support/backend';
import { startMetadataHost, TestOAuthProvider } from './support/oauthClient';
import { testActionsPlugin } from './support/testActionsPlugin';

// An MCP client logs in by itself, as Claude Code does: no token, a 401, the protected-resource
// and authorization-server metadata, a client ID metadata document (CIMD) or a static client,
// PKCE with `resource`, the user's approval in Backstage, the code exchange, then tools as
// that user. A real backend with the auth backend (its database in in-memory SQLite) and the
// guest provider; the real MCP SDK 1.x client with its OAuth client provider. The test plays
// the user: signs in as the guest and approves (or rejects) the authorization session through
// the endpoint Backstage's consent page calls.

// The auth backend fetches a loopback CIMD only in development.
process.env.NODE_ENV = 'development';

const STATIC_CLIENT = 'mcp-static-test-client';
let backend: RunningBackend;
let metadataHost: Awaited<ReturnType<typeof startMetadataHost>>;
let guestToken: string;
let redirectUrl: string;

beforeAll(async () => {
  metadataHost = await startMetadataHost();
  redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
  backend = await startBackend({
    features: [
      mcpActionsPlugin,
      testActionsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      auth: {
        ...(guestAuthConfig.auth as object),
        clientIdMetadataDocuments: {
          enabled: true,
          allowedClientIdPatterns: ['https://127.0.0.1:*/*'],
        },
        staticClients: [
          { clientId: STATIC_CLIENT, clientName: 'Static MCP test client', redirectUris: [redirectUrl] },
        ],
        // This backend has no catalog to hold the guest's User entity, which a refresh
        // checks for: that check is off here (an app made by create-app has the entity).
        experimentalRefreshToken: { enabled: true, dangerouslyDisableCatalogPresenceCheck: true },
      },
    },
  });
  guestToken = await guestUserToken(backend.baseUrl);
  metadataHost.serve('/cimd/client.json', {
    client_id: metadataHost.url('/cimd/client.json'),
    client_name: 'CIMD MCP test client',
    redirect_uris: [redirectUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
});
afterAll(async () => {
  await backend?.stop();
  await metadataHost?.close();
});

/**
 * The user in the browser: follow the authorization URL to Backstage's consent page, read the
 * authorization session, approve or reject it as the signed-in guest, and return where the
 * browser is sent back to (the client's redirect URI, with the code or the error).
 */
async function user(url: URL, decision: 'approve' | 'reject', seen: { client?: string } = {}) {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const consent = new URL(res.headers.get('location')!);
  expect(consent.pathname).toMatch(/^\/oauth2\/authorize\/[^/]+$/);
  const sessionId = consent.pathname.split('/').pop()!;
  const session = (await (await fetch(`${backend.baseUrl}/api/auth/v1/sessions/${sessionId}`)).json()) as {
    clientName: string;
  };
  seen.client = session.clientName;
  const answer = await fetch(`${backend.baseUrl}/api/auth/v1/sessions/${sessionId}/${decision}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${guestToken}` },
  });
  expect(answer.status).toBe(200);
  return new URL(((await answer.json()) as { redirectUrl: string }).redirectUrl);
}

/** Log in through `provider`'s flow; the browser's landing URL is returned. */
async function login(provider: TestOAuthProvider, landed: { url?: URL }) {
  const transport = new StreamableHTTPClientTransport(new URL(backend.mcpUrl), { authProvider: provider });
  const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(landed.url).toBeDefined();
  return transport;
}

async function connected(provider: TestOAuthProvider) {
  const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(backend.mcpUrl), { authProvider: provider }));
  return client;
}

describe('an MCP client logs in by itself', () => {
  it('with a client ID metadata document: 401, metadata, approval, code, tools as the user', async () => {
    const landed: { url?: URL; authorize?: URL } = {};
    const seen: { client?: string } = {};
    const provider = new TestOAuthProvider({
      redirectUrl,
      clientMetadataUrl: metadataHost.url('/cimd/client.json'),
      onAuthorize: async url => {
        landed.authorize = url;
        landed.url = await user(url, 'approve', seen);
      },
    });
    const transport = await login(provider, landed);
    // What the client asked for: PKCE (S256), its CIMD URL as client id, this MCP server as
    // the resource.
    const asked = landed.authorize!.searchParams;
    expect(landed.authorize!.origin + landed.authorize!.pathname).toBe(`${backend.baseUrl}/api/auth/v1/authorize`);
    expect(asked.get('client_id')).toBe(metadataHost.url('/cimd/client.json'));
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(asked.get('resource')).toBe(backend.mcpUrl);
    expect(seen.client).toBe('CIMD MCP test client');
    expect(landed.url!.origin + landed.url!.pathname).toBe(redirectUrl);
    await transport.finishAuth(landed.url!.searchParams.get('code')!);

    const client = await connected(provider);
    const result = await client.callTool({ name: 'testing.whoami' });
    expect(result.structuredContent).toEqual({ type: 'user', subject: 'user:development/guest' });
    await client.close();
  });

  it('with a static client of auth.staticClients', async () => {
    const landed: { url?: URL } = {};
    const seen: { client?: string } = {};
    const provider = new TestOAuthProvider({
      redirectUrl,
      clientId: STATIC_CLIENT,
      onAuthorize: async url => {
        expect(url.searchParams.get('client_id')).toBe(STATIC_CLIENT);
        landed.url = await user(url, 'approve', seen);
      },
    });
    const transport = await login(provider, landed);
    expect(seen.client).toBe('Static MCP test client');
    await transport.finishAuth(landed.url!.searchParams.get('code')!);
    const client = await connected(provider);
    const result = await client.callTool({ name: 'testing.whoami' });
    expect(result.structuredContent).toEqual({ type: 'user', subject: 'user:development/guest' });
    await client.close();
  });

  it('a rejected approval gives the client an error and no token: no tool runs', async () => {
    const landed: { url?: URL } = {};
    const provider = new TestOAuthProvider({
      redirectUrl,
      clientId: STATIC_CLIENT,
      onAuthorize: async url => {
        landed.url = await user(url, 'reject');
      },
    });
    await login(provider, landed);
    expect(landed.url!.searchParams.get('error')).toBe('access_denied');
    expect(landed.url!.searchParams.get('code')).toBeNull();
    expect(provider.tokens()).toBeUndefined();
    // Without a token every request is refused with the challenge.
    const res = await fetch(backend.mcpUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'testing.whoami' } }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${backend.baseUrl}/.well-known/oauth-protected-resource/api/mcp-actions/v1"`,
    );
  });

  it('with offline_access, a client whose access token is refused refreshes and keeps working', async () => {
    const landed: { url?: URL } = {};
    const provider = new TestOAuthProvider({
      redirectUrl,
      clientId: STATIC_CLIENT,
      scope: 'openid offline_access',
      onAuthorize: async url => {
        expect(url.searchParams.get('scope')).toContain('offline_access');
        landed.url = await user(url, 'approve');
      },
    });
    const transport = await login(provider, landed);
    await transport.finishAuth(landed.url!.searchParams.get('code')!);
    const first = provider.tokens()!;
    expect(first.refresh_token).toBeTruthy();
    const client = await connected(provider);
    // The access token stops working (expired, revoked): the server answers 401 with the
    // challenge, the client refreshes and the call goes through.
    // Expired: the same token with `exp` in the past (what the client holds an hour later).
    const [head, payload, signature] = first.access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iat: number };
    const late = Buffer.from(JSON.stringify({ ...claims, exp: claims.iat - 3600 })).toString('base64url');
    const spoiled = [head, late, signature].join('.');
    const refused = await fetch(backend.mcpUrl, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${spoiled}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(
      /^Bearer resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/api\/mcp-actions\/v1", error="invalid_token", error_description="the access token expired"$/,
    );
    expect(((await refused.json()) as { id: number }).id).toBe(4);
    provider.spoilAccessToken(spoiled);
    const result = await client.callTool({ name: 'testing.whoami' });
    expect(result.structuredContent).toEqual({ type: 'user', subject: 'user:development/guest' });
    expect(provider.tokens()!.access_token).not.toBe(first.access_token);

    // The refresh token is revoked: the next refusal cannot be refreshed; the client gets
    // the auth backend's invalid_grant (it has to log in again), and no tool runs.
    const refreshed = provider.tokens()!;
    const revoked = await fetch(`${backend.baseUrl}/api/auth/v1/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshed.refresh_token!, client_id: STATIC_CLIENT }),
    });
    expect(revoked.status).toBe(200);
    provider.spoilAccessToken(spoiled);
    const failed = await client.callTool({ name: 'testing.whoami' }).catch(error => error as Error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).name).toBe('InvalidGrantError');
    expect((failed as Error).message).toBe('Invalid refresh token');
    await client.close();
  });

  it('the 2.x SDK in the 2026-07-28 era, with a client ID metadata document', async () => {
    const landed: { url?: URL } = {};
    const provider = new TestOAuthProvider({
      redirectUrl,
      clientMetadataUrl: metadataHost.url('/cimd/client.json'),
      onAuthorize: async url => {
        expect(url.searchParams.get('resource')).toBe(backend.mcpUrl);
        landed.url = await user(url, 'approve');
      },
    });
    const modern = () =>
      new ModernClient({ name: 'oauth-e2e-2x', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const transport = new ModernTransport(new URL(backend.mcpUrl), { authProvider: provider as never });
    await expect(modern().connect(transport)).rejects.toBeInstanceOf(ModernUnauthorizedError);
    expect(landed.url!.searchParams.get('code')).toBeTruthy();
    await transport.finishAuth(landed.url!.searchParams);

    const client = modern();
    await client.connect(new ModernTransport(new URL(backend.mcpUrl), { authProvider: provider as never }));
    const result = await client.callTool({ name: 'testing.whoami' });
    expect(result.structuredContent).toEqual({ type: 'user', subject: 'user:development/guest' });
    await client.close();
  });
});
