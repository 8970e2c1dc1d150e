import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from './support/demo';
import { curlsOf, runCurl } from './support/elicitationHttp';
import { TestOAuthProvider } from './support/oauthClient';

// The README's demo backend, started as a user starts it (support/demo.ts), driven by the
// official SDK client.

const TOKEN = 'demo-test-token-0123456789';
let demo: RunningDemo;
let url: string;
let base: string;
let client: Client;

beforeAll(async () => {
  demo = await startDemo(TOKEN);
  base = demo.base;
  url = demo.url;
  const output = demo.output();
  expect(output).toContain(`MCP endpoint: ${url}`);
  expect(output).toContain(`"Authorization": "Bearer ${TOKEN}"`);
  client = new Client({ name: 'demo-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
    }),
  );
});

afterAll(async () => {
  await client?.close();
  await demo?.stop();
});

describe('the demo backend', () => {
  it('names itself from app-config and lists catalog and platform tools', async () => {
    expect(client.getServerVersion()?.name).toBe('backstage-demo');
    const names = (await client.listTools()).tools.map(t => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'catalog.get-catalog-entity',
        'catalog.query-catalog-entities',
        'platform.get-service-health',
        'platform.list-incidents',
        'platform.open-incident',
        'platform.resolve-incident',
        'platform.restart-deployment',
      ]),
    );
  });

  it('with the banner’s static token, platform.publish-release says how to give its secret through the API, and runs after', async () => {
    const tool = (await client.listTools()).tools.find(t => t.name === 'platform.publish-release')!;
    expect(tool.description).toContain('Needs secrets: registryToken (Your package registry token).');
    const args = { service: 'payments-service', version: '1.0.0' };
    const result = await client.callTool({ name: 'platform.publish-release', arguments: args });
    expect(result.isError).toBe(true);
    const text = (result.content as { text: string }[])[0].text;
    expect(text).toMatch(
      /^SecretsRequired: Tool "platform.publish-release" needs secrets \(registryToken\) that must not pass through this conversation\. This call runs as service:mcp-demo-client, a service principal \(a static token\) with no Backstage page session/,
    );
    // The demo offers the OAuth login, so the answer names it too.
    expect(text).toContain('Or connect the client as a Backstage user (its OAuth login, no token header): then the page takes them.');
    expect(text).not.toContain(TOKEN);
    // What the answer says, done as a person would in a shell.
    const [read, send] = curlsOf(text);
    const run = (command: string) => runCurl(command, TOKEN);
    const view = await run(read);
    expect(view).toMatchObject({ tool: 'platform.publish-release', action: { id: 'platform:publish-release', title: 'Publish a release' } });
    expect(await run(send.replace('<csrfToken>', view.csrfToken).replace('<registryToken>', 'registry-secret-1'))).toEqual({ ok: true });
    const published = await client.callTool({ name: 'platform.publish-release', arguments: args });
    expect(published.isError, JSON.stringify(published)).toBeFalsy();
    expect(published.structuredContent).toEqual({
      service: 'payments-service',
      version: '1.0.0',
      publishedBy: 'service:plugin:mcp-actions',
      tokenFingerprint: createHash('sha256').update('registry-secret-1').digest('hex').slice(0, 12),
    });
  });

  it('stops npm run demo with one line when the pinned token breaks Backstage’s rule', async () => {
    for (const [token, rule] of [
      ['t', 'must be at least 8 characters long; it has 1'],
      ['two words', 'must have no spaces'],
    ]) {
      const stopped = await promisify(execFile)('bash', [resolve(__dirname, '../dev/start.sh')], {
        env: { ...process.env, MCP_DEMO_TOKEN: token },
      }).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect(stopped).toMatchObject({
        code: 2,
        stdout: '',
        stderr: `npm run demo: MCP_DEMO_TOKEN ${rule} (Backstage's rule for static tokens). Pin another, or unset it for a random one.\n`,
      });
    }
  });

  it('calls the catalog’s query action on the example entities', async () => {
    const deadline = Date.now() + 20_000;
    let items: Array<{ metadata: { name: string } }> = [];
    while (items.length < 2 && Date.now() < deadline) {
      const result = await client.callTool({
        name: 'catalog.query-catalog-entities',
        arguments: { query: { kind: 'Component' } },
      });
      expect(result.isError).toBeFalsy();
      items = (result.structuredContent as { items: typeof items }).items;
      if (items.length < 2) await new Promise(r => setTimeout(r, 250));
    }
    expect(items.map(i => i.metadata.name).sort()).toEqual([
      'payments-service',
      'web-frontend',
    ]);
  });

  it('runs a platform action and refuses bad input with a readable tool error', async () => {
    const health = await client.callTool({
      name: 'platform.get-service-health',
      arguments: { service: 'payments-service' },
    });
    expect(health.structuredContent).toMatchObject({ service: 'payments-service', status: 'degraded' });
    const args = { service: 'payments-service', environment: 'production' };
    // The demo confirms every restart (mcpActions.confirm): a static token through a client
    // that cannot ask is told what it needs, and nothing runs.
    const refused = await client.callTool({ name: 'platform.restart-deployment', arguments: args });
    expect(refused.isError).toBe(true);
    expect((refused.content as Array<{ text: string }>)[0].text).toMatch(
      /^ConfirmationRequired: This call needs a person's confirmation before it runs \(Restart deployment \(platform\.restart-deployment\) with environment "production", service "payments-service", as service:[^)]+\?\), and it runs as service:.*Use a client that can ask its user \(MCP elicitation\)/,
    );
    // A 2026-07-28 client that can ask: the person accepts, the action runs (and refuses
    // production without a reason, as a readable tool error).
    const asking = new ModernClient(
      { name: 'demo-test-confirms', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const questions: string[] = [];
    asking.setRequestHandler('elicitation/create', async request => {
      questions.push(String(request.params.message));
      return { action: 'accept', content: { confirm: true } };
    });
    await asking.connect(
      new ModernTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }),
    );
    try {
      const restart = await asking.callTool({ name: 'platform.restart-deployment', arguments: args });
      expect(questions).toHaveLength(1);
      expect(questions[0]).toMatch(/^Confirm this call: Restart deployment \(platform\.restart-deployment\)/);
      expect(restart).toMatchObject({
        content: [{ type: 'text', text: 'InputError: Restarting production needs a reason' }],
        isError: true,
      });
    } finally {
      await asking.close();
    }
  });

  it('serves a 2026-07-28 client (SDK 2.x, pinned) on the default and the named server', async () => {
    const connect = async (endpoint: string) => {
      const modern = new ModernClient(
        { name: 'demo-test-modern', version: '1.0.0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      await modern.connect(
        new ModernTransport(new URL(endpoint), {
          requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
        }),
      );
      return modern;
    };
    const all = await connect(url);
    try {
      expect(all.getProtocolEra()).toBe('modern');
      expect(all.getServerVersion()?.name).toBe('backstage-demo');
      const names = (await all.listTools()).tools.map(t => t.name);
      expect(names).toContain('platform.get-service-health');
      expect(names).toContain('catalog.get-catalog-entity');
      const health = await all.callTool({
        name: 'platform.get-service-health',
        arguments: { service: 'payments-service' },
      });
      expect(health.structuredContent).toMatchObject({ service: 'payments-service', status: 'degraded' });
    } finally {
      await all.close();
    }
    const incidents = await connect(`${url}/incidents`);
    try {
      expect(incidents.getServerVersion()?.name).toBe('backstage-incidents');
      expect((await incidents.listTools()).tools.map(t => t.name)).toEqual([
        'platform.list-incidents',
        'platform.open-incident',
        'platform.resolve-incident',
      ]);
      const listed = await incidents.callTool({ name: 'platform.list-incidents', arguments: {} });
      expect(listed.isError).toBeFalsy();
      expect(JSON.stringify(listed.structuredContent)).toContain('INC-1001');
    } finally {
      await incidents.close();
    }
  });
});

describe('the demo OAuth login', () => {
  it("offers discovery, and serves its Backstage frontend: the page and plugin-auth's consent page", async () => {
    const res = await fetch(url, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/api/mcp-actions/v1"`,
    );
    const server = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    expect(server).toMatchObject({
      authorization_endpoint: `${base}/api/auth/v1/authorize`,
      client_id_metadata_document_supported: true,
      code_challenge_methods_supported: ['S256'],
    });
    expect(demo.output()).toContain(`Backstage:    ${base}/mcp-actions`);
    // The app plugin serves frontend/app/dist (npm test and npm run demo build it first) at
    // every frontend route: the consent page of @backstage/plugin-auth, the page at /mcp-actions.
    for (const path of ['/oauth2/authorize/some-session', '/mcp-actions']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status, `${path} (is frontend/app built? bash scripts/build-frontend.sh)`).toBe(200);
      const html = await page.text();
      expect(html).toContain('<title>mcp-actions-rs demo</title>');
      expect(html).toContain('<div id="root"></div>');
    }
  });

  it('logs the static client demo-cli in as the guest, with the calls the consent page makes', async () => {
    let landed: URL | undefined;
    const provider = new TestOAuthProvider({
      redirectUrl: 'http://127.0.0.1:33418/callback',
      clientId: 'demo-cli',
      scope: 'openid offline_access',
      onAuthorize: async authorize => {
        // The browser: to the consent page, then the page's own calls.
        const res = await fetch(authorize, { redirect: 'manual' });
        const consent = new URL(res.headers.get('location')!);
        expect(consent.origin + consent.pathname).toMatch(new RegExp(`^${base}/oauth2/authorize/`));
        const session = consent.pathname.split('/').pop()!;
        const guest = (await (
          await fetch(`${base}/api/auth/guest/refresh?env=development`, {
            headers: { 'X-Requested-With': 'XMLHttpRequest' },
          })
        ).json()) as { backstageIdentity: { token: string } };
        const approved = await fetch(`${base}/api/auth/v1/sessions/${session}/approve`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${guest.backstageIdentity.token}` },
        });
        landed = new URL(((await approved.json()) as { redirectUrl: string }).redirectUrl);
      },
    });
    const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    const refused = await new Client({ name: 'demo-oauth', version: '1' }).connect(transport).catch(e => e);
    expect(refused).toBeInstanceOf(UnauthorizedError);
    await transport.finishAuth(landed!.searchParams.get('code')!);
    const loggedIn = new Client({ name: 'demo-oauth', version: '1' });
    await loggedIn.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
    const opened = await loggedIn.callTool({
      name: 'platform.open-incident',
      arguments: { service: 'web-frontend', title: 'Opened through an OAuth login', severity: 'sev3' },
    });
    const { id } = opened.structuredContent as { id: string };
    const listed = await loggedIn.callTool({ name: 'platform.list-incidents', arguments: {} });
    const incidents = (listed.structuredContent as { incidents: Array<{ id: string; openedBy: string }> }).incidents;
    expect(incidents.find(i => i.id === id)?.openedBy).toBe('user:development/guest');
    expect(provider.tokens()?.refresh_token).toBeTruthy();
    await loggedIn.close();
  });
});
