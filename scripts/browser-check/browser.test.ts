import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestUserToken } from '../../__test__/support/backend';
import { TestOAuthProvider } from '../../__test__/support/oauthClient';
import { createHash } from 'node:crypto';
import { urlElicitingCall } from '../../__test__/support/elicitationHttp';
import { callTool, rpc } from '../../__test__/support/tasksHttp';

// Run by scripts/browser-check.sh against a create-app app it made and started: the page at
// /mcp-actions as the guest, then an MCP client's login through the real consent page.

const base = process.env.BROWSER_CHECK_URL!;
const shots = process.env.SCREENSHOTS_DIR!;
const callbackPort = Number(process.env.BROWSER_CHECK_CALLBACK_PORT);
const cimdPort = Number(process.env.BROWSER_CHECK_CIMD_PORT);
const cimdDir = process.env.BROWSER_CHECK_CIMD_DIR!;
const cimdUrl = `https://127.0.0.1:${cimdPort}/cimd/client.json`;
const mcpUrl = `${base}/api/mcp-actions/v1`;
const redirectUrl = `http://127.0.0.1:${callbackPort}/callback`;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let guestToken: string;
/** Console errors and uncaught exceptions of every page, with the page they came from. */
const consoleErrors: string[] = [];

function watch(p: Page) {
  p.on('console', message => {
    if (message.type() === 'error') consoleErrors.push(`${p.url()}: ${message.text()}`);
  });
  p.on('pageerror', error => consoleErrors.push(`${p.url()}: ${error.message}`));
}

async function newContext() {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  return ctx;
}

/** Sign in as the guest on the sign-in page the app shows. */
async function signInAsGuest(p: Page) {
  await p.getByRole('button', { name: 'Enter' }).click();
}

const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `${name}.png`) });

/** The guest's tools on `/v1`, through MCP itself: what the page must show. */
async function guestTools(): Promise<string[]> {
  const answer = await rpc(mcpUrl, 'tools/list', {}, { token: guestToken, declare: false });
  expect(answer.status).toBe(200);
  return (answer.result.tools as { name: string }[]).map(t => t.name);
}

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
  context = await newContext();
  page = await context.newPage();
  watch(page);
  guestToken = await guestUserToken(base);
});

afterAll(async () => {
  await browser?.close();
});

describe('the page at /mcp-actions, as the guest', () => {
  it('signs in and lists the servers with the number of tools the guest sees', async () => {
    await page.goto(`${base}/mcp-actions`);
    await signInAsGuest(page);
    const card = page.getByRole('heading', { name: 'My Company Backstage', exact: true });
    await expect(card.first().waitFor()).resolves.toBeUndefined();
    const tools = await guestTools();
    expect(tools.length).toBeGreaterThan(5);
    await expect(page.getByText(mcpUrl, { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByText(`${tools.length} tools`, { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByText(/MCP revisions: 2026-07-28, 2025-11-25/).first().isVisible()).resolves.toBe(true);
    // The app's sidebar lists the page (the plugin's title and icon): a link to it.
    const links = page.getByRole('link', { name: 'MCP Actions' });
    const hrefs: (string | null)[] = [];
    for (let i = 0; i < (await links.count()); i++) hrefs.push(await links.nth(i).getAttribute('href'));
    expect(hrefs).toContain('/mcp-actions');
    await shot(page, 'servers');
  });

  it("opens a server's tool list: every tool the guest sees, a filter, an input table", async () => {
    const tools = await guestTools();
    // The only server opens by itself; a click opens it otherwise.
    const show = page.getByRole('button', { name: 'Show tools of My Company Backstage' });
    if (await show.count()) await show.click();
    await page.getByText(`${tools.length} tools`, { exact: true }).nth(1).waitFor();
    for (const name of tools) {
      await expect(page.locator('code', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }).count()).resolves.toBe(1);
    }
    await page.getByLabel('Filter tools').fill('wait');
    await page.getByText(`1 of ${tools.length} tools match "wait"`).waitFor();
    await page.getByRole('button', { name: 'Show inputs' }).click();
    const inputs = page.getByRole('table', { name: 'Inputs of browser-check.wait' });
    await expect(inputs.getByRole('cell', { name: 'seconds', exact: true }).isVisible()).resolves.toBe(true);
    await expect(inputs.getByRole('cell', { name: 'How long to wait' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('read-only').first().isVisible()).resolves.toBe(true);
    await shot(page, 'tools');
  });

  it("shows each client's exact setup for this Backstage, and copies it", async () => {
    await page.getByRole('tab', { name: 'Connect a client' }).click();
    await page.getByText('Your client logs in with your Backstage account').waitFor();
    const texts: Record<string, string> = {};
    for (const id of ['claude-code', 'cursor', 'vscode', 'codex', 'gemini', 'inspector']) {
      texts[id] = (await page.locator(`pre[data-client="${id}"]`).textContent()) ?? '';
      expect(texts[id]).toContain(mcpUrl);
      // The login, not a token: nothing to copy that grants access.
      expect(texts[id]).not.toContain('Authorization');
    }
    expect(texts['claude-code']).toBe(`claude mcp add --transport http backstage ${mcpUrl}`);
    expect(JSON.parse(texts.cursor)).toEqual({ mcpServers: { backstage: { url: mcpUrl } } });
    expect(JSON.parse(texts.vscode)).toEqual({ servers: { backstage: { type: 'http', url: mcpUrl } } });
    expect(texts.codex).toBe(`[mcp_servers.backstage]\nurl = "${mcpUrl}"\n`);
    expect(JSON.parse(texts.gemini)).toEqual({ mcpServers: { backstage: { httpUrl: mcpUrl } } });

    const copy = page.getByRole('button', { name: 'Copy the Claude Code setup' });
    await copy.click();
    await page.locator('button[aria-label="Copy the Claude Code setup"]', { hasText: 'Copied' }).waitFor();
    await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(texts['claude-code']);

    await page.getByText('Tool search (X-MCP-Tools: search)').click();
    await page.getByText(`claude mcp add --transport http backstage ${mcpUrl} --header "X-MCP-Tools: search"`).waitFor();
    await shot(page, 'connect');
  });

  it('lists the running task of a long call and cancels it', async () => {
    // A 2026-07-28 client that declares MCP Tasks calls the long action as the guest.
    const call = await callTool(mcpUrl, 'browser-check.wait', { seconds: 120 }, { token: guestToken });
    expect(call.status).toBe(200);
    expect(call.result.resultType).toBe('task');
    expect(call.result.status).toBe('working');
    const taskId = call.result.taskId as string;

    await page.getByRole('tab', { name: 'My tasks' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = page.locator(`tr[data-task="${taskId}"]`);
    await row.waitFor();
    await expect(row.locator('code').textContent()).resolves.toBe('browser-check.wait');
    await expect(row.getByText('working', { exact: true }).isVisible()).resolves.toBe(true);
    await shot(page, 'tasks');

    await row.getByRole('button', { name: 'Cancel the task of browser-check.wait' }).click();
    await row.getByText('cancelled', { exact: true }).waitFor();
    await expect(row.getByRole('button', { name: /Cancel/ }).count()).resolves.toBe(0);
    // The client sees it too.
    const seen = await rpc(mcpUrl, 'tasks/get', { taskId }, { token: guestToken });
    expect(seen.result.status).toBe('cancelled');
    await shot(page, 'tasks-cancelled');
  });
});

/** The guest's usage as the page's API answers it, once `done` holds (batches every 5 s). */
async function usageOf(query: string, done: (body: { totals: { calls: number } }) => boolean = () => true) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${base}/api/mcp-actions/ui/v1/usage?period=24h&${query}`, {
      headers: { Authorization: `Bearer ${guestToken}` },
    });
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body = (await res.json()) as any;
    if (done(body) || Date.now() > deadline) return body;
    await new Promise(r => setTimeout(r, 500));
  }
}

describe('the Usage tab, as the guest (the template app allows every permission)', () => {
  it("shows the guest's own calls, the rate limit and what is left, with charts", async () => {
    const answers = [];
    for (const message of ['one', 'two', 'three']) {
      answers.push(await callTool(mcpUrl, 'browser-check.echo', { message }, { token: guestToken }));
    }
    expect(answers.map(a => a.status)).toEqual([200, 200, 429]);
    expect(answers[2].error?.code).toBe(-32023);
    const echoed = await usageOf('scope=mine&tool=browser-check.echo', b => b.totals.calls >= 3);
    expect(echoed.totals.calls).toBe(3);
    expect(echoed.totals.byOutcome).toMatchObject({ success: 2, rate_limited: 1 });

    await page.getByRole('tab', { name: 'Usage' }).click();
    const calls = page.locator('[data-stat="Calls"]');
    await calls.waitFor();
    // The page shows what the API counts (the earlier task's call may land in a later batch:
    // compare again after a refresh until both agree).
    let shown = '';
    let counted = -1;
    for (let round = 0; round < 10 && shown !== String(counted); round++) {
      counted = (await usageOf('scope=mine')).totals.calls;
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('[aria-busy="false"] [data-stat="Calls"]').waitFor();
      shown = (await calls.textContent()) ?? '';
      if (shown !== String(counted)) await new Promise(r => setTimeout(r, 1000));
    }
    expect(shown).toBe(String(counted));
    await expect(page.locator('[data-stat="Rate limited"]').textContent()).resolves.toBe('1');
    const limits = page.getByRole('table', { name: 'Your rate limits' });
    await expect(limits.getByRole('row').nth(1).textContent()).resolves.toBe(
      'echo-per-daybrowser-check.echoall2 calls / 1d0 of 2',
    );
    const echo = page.getByRole('table', { name: 'Usage by tool' }).getByRole('row', { name: /browser-check\.echo/ });
    await expect(echo.getByRole('cell').nth(2).textContent()).resolves.toBe('3');
    await expect(echo.getByRole('cell').nth(4).textContent()).resolves.toBe('1');
    await expect(
      page.getByRole('table', { name: 'Your clients' }).getByRole('cell', { name: 'tasks-fetch', exact: true }).isVisible(),
    ).resolves.toBe(true);
    // Real charts: bars drawn in the SVG of the series and of the top tools.
    await expect(page.locator('[data-chart="series"] .recharts-bar-rectangle path').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('[data-chart="tools"] .recharts-bar-rectangle path').count()).resolves.toBeGreaterThan(0);
    await shot(page, 'usage-mine');
  });

  it("shows everyone's to a permitted person, filters it, and downloads the CSV", async () => {
    const all = await usageOf('scope=all');
    expect(all.mayReadAll).toBe(true);
    await page.getByRole('button', { name: /Whose calls/ }).click();
    await page.getByRole('option', { name: 'Everyone' }).click();
    const principals = page.getByRole('table', { name: 'Usage by principal' });
    await principals.waitFor();
    await expect(principals.getByRole('cell', { name: 'user:development/guest' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-chart="principals"] .recharts-bar-rectangle path').count()).resolves.toBeGreaterThan(0);
    // Tall enough for every chart and table (the app's sidebar is fixed, so not fullPage).
    await page.setViewportSize({ width: 1280, height: 1700 });
    await shot(page, 'usage-all');
    await page.setViewportSize({ width: 1280, height: 900 });

    // A Select's button is named by its value and its label ("All tools Tool").
    await page.getByRole('button', { name: /\bTool$/ }).click();
    await page.getByRole('option', { name: 'browser-check.echo' }).click();
    await page.locator('[data-stat="Calls"]', { hasText: /^3$/ }).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('mcp-actions-usage-all-24h.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    const rows = text.trimEnd().split('\r\n');
    expect(rows[0]).toBe('minute,server,tool,principal,client,client_version,outcome,calls,duration_ms,avg_ms,result_bytes');
    const cells = rows.slice(1).map(r => r.split(','));
    expect(cells.every(c => c[2] === 'browser-check.echo' && c[3] === 'user:development/guest')).toBe(true);
    expect(cells.reduce((n, c) => n + Number(c[7]), 0)).toBe(3);
    expect(cells.filter(c => c[6] === 'rate_limited').reduce((n, c) => n + Number(c[7]), 0)).toBe(1);
  });
});

describe('a pending confirmation, as the guest', () => {
  it('a call from a client that cannot ask waits on the page; Confirm there; the retry runs', async () => {
    const call = () => callTool(mcpUrl, 'browser-check.restart', { service: 'payments' }, { token: guestToken, declare: false });
    const first = await call();
    expect(first.status).toBe(200);
    const text = first.result.content[0].text as string;
    expect(text).toMatch(/^ConfirmationRequired: This call needs your confirmation before it runs: Restart service \(browser-check\.restart\) with service "payments", as user:development\/guest\?/);
    expect(text).toContain(`Open ${base}/mcp-actions and confirm it under Pending confirmations.`);

    await page.goto(`${base}/mcp-actions`);
    const section = page.getByRole('region', { name: 'Pending confirmations' });
    await section.waitFor();
    const question = 'Restart service (browser-check.restart) with service "payments", as user:development/guest?';
    await section.getByText(question).first().waitFor();
    await expect(section.getByLabel('Arguments of browser-check.restart').textContent()).resolves.toBe('{\n  "service": "payments"\n}');
    await shot(page, 'confirmations');
    await section.getByRole('button', { name: 'Confirm' }).click();
    await section.getByText(`Confirmed: ${question}`).waitFor();

    const ran = await call();
    expect(ran.result.isError).toBeFalsy();
    expect(ran.result.structuredContent).toEqual({ restarted: 'payments' });
    // Used once: the next identical call asks again.
    expect((await call()).result.content[0].text).toMatch(/^ConfirmationRequired/);
  });
});

describe('the secrets page, as the guest', () => {
  it('a call that needs a secret links to the form; the guest submits it; the retry runs with it', async () => {
    const first = await urlElicitingCall(mcpUrl, guestToken, 'browser-check.deploy', { service: 'api' });
    expect(first.result.resultType).toBe('input_required');
    const url = first.result.inputRequests.secrets.params.url as string;
    expect(url).toMatch(new RegExp(`^${base}/mcp-actions/secrets/[0-9a-f]{32}$`));
    await page.goto(url);
    await page.getByRole('heading', { name: 'Provide Credentials' }).waitFor();
    // The heading shows while the request loads: wait for the request itself.
    await page.getByText('Deploy with a token').first().waitFor();
    const field = page.getByLabel('token');
    await expect(field.getAttribute('type')).resolves.toBe('password');
    const secret = `browser-${Date.now()}`;
    await field.fill(secret);
    await shot(page, 'secrets');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByText('Secrets sent', { exact: true }).waitFor();
    await expect(page.getByText(secret).count()).resolves.toBe(0);
    await shot(page, 'secrets-sent');
    const retry = await urlElicitingCall(mcpUrl, guestToken, 'browser-check.deploy', { service: 'api' }, {
      requestState: first.result.requestState,
      inputResponses: { secrets: { action: 'accept' } },
    });
    expect(retry.result.structuredContent).toEqual({
      service: 'api',
      tokenSha256: createHash('sha256').update(secret).digest('hex'),
    });
    expect(retry.text).not.toContain(secret);
    // Used once: the page now says so (in an unwatched tab: the API's 409 is logged).
    const tab = await context.newPage();
    try {
      await tab.goto(url);
      await tab.getByText(/already provided/).first().waitFor();
    } finally {
      await tab.close();
    }
  });

  it('an unknown link says what to do', async () => {
    // Its own tab, unwatched: the API's 404 is the point here, and Chromium logs every 404.
    const tab = await context.newPage();
    try {
      await tab.goto(`${base}/mcp-actions/secrets/${'0'.repeat(32)}`);
      await tab.getByText(/expired or does not exist/).first().waitFor();
      await shot(tab, 'secrets-unknown');
    } finally {
      await tab.close();
    }
  });
});

/** The client's redirect URI: records where the browser lands, answers a plain page. */
async function callbackServer(): Promise<{ landed: () => Promise<URL>; close: () => Promise<void> }> {
  let resolve!: (url: URL) => void;
  const landed = new Promise<URL>(r => (resolve = r));
  const server: Server = createServer((req, res) => {
    resolve(new URL(req.url ?? '/', redirectUrl));
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Signed in</title><p>You can close this window.</p>');
  });
  await new Promise<void>(r => server.listen(callbackPort, '127.0.0.1', r));
  return { landed: () => landed, close: () => new Promise(r => server.close(() => r())) };
}

/**
 * The client's client ID metadata document, over HTTPS with the certificate the script made
 * (the backend trusts it through NODE_EXTRA_CA_CERTS).
 */
async function metadataHost(): Promise<() => Promise<void>> {
  const server = createHttpsServer(
    { key: readFileSync(join(cimdDir, 'key.pem')), cert: readFileSync(join(cimdDir, 'cert.pem')) },
    (req, res) => {
      const found = req.url === '/cimd/client.json';
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        found
          ? JSON.stringify({
              client_id: cimdUrl,
              client_name: 'Browser check MCP client',
              redirect_uris: [redirectUrl],
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code'],
              token_endpoint_auth_method: 'none',
            })
          : '{}',
      );
    },
  );
  await new Promise<void>(r => server.listen(cimdPort, '127.0.0.1', r));
  return () => new Promise(r => server.close(() => r()));
}

/**
 * An MCP SDK 1.x client logs in with its client ID metadata document; the authorization URL opens in a
 * fresh browser (nobody signed in): the guest signs in, sees the consent page naming the
 * client, and clicks `decision`. Returns the provider and where the browser landed.
 */
async function loginInBrowser(decision: 'Authorize' | 'Cancel', shotName: string) {
  const callback = await callbackServer();
  const closeMetadata = await metadataHost();
  const ctx = await newContext();
  const tab = await ctx.newPage();
  watch(tab);
  try {
    const provider = new TestOAuthProvider({
      redirectUrl,
      clientMetadataUrl: cimdUrl,
      onAuthorize: async url => {
        await tab.goto(url.href);
        await signInAsGuest(tab);
        await tab.getByText('Browser check MCP client').first().waitFor();
        await tab.getByText(/wants to access your/).first().waitFor();
        await shot(tab, shotName);
        await tab.getByRole('button', { name: decision, exact: true }).click();
      },
    });
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    const client = new Client({ name: 'browser-check', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const landed = await callback.landed();
    await tab.waitForURL(u => u.href.startsWith(redirectUrl));
    return { provider, transport, landed };
  } finally {
    await ctx.close();
    await callback.close();
    await closeMetadata();
  }
}

describe("an MCP client's login through @backstage/plugin-auth's consent page", () => {
  it('Authorize: the client gets a token and calls a tool as the guest', async () => {
    const { provider, transport, landed } = await loginInBrowser('Authorize', 'consent');
    expect(landed.origin + landed.pathname).toBe(redirectUrl);
    const code = landed.searchParams.get('code');
    expect(code).toMatch(/.+/);
    await transport.finishAuth(code!);
    expect(provider.tokens()?.access_token).toMatch(/.+/);
    const client = new Client({ name: 'browser-check', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
    const result = await client.callTool({ name: 'browser-check.whoami' });
    expect(result.structuredContent).toEqual({ type: 'user', subject: 'user:development/guest' });
    await client.close();
  });

  it('Cancel: the client gets access_denied and no token', async () => {
    const { provider, landed } = await loginInBrowser('Cancel', 'consent-cancelled');
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('code')).toBeNull();
    expect(provider.tokens()).toBeUndefined();
  });
});

describe('the pages logged', () => {
  it('no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
