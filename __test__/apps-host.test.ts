/// <reference lib="dom" />
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/backend';
import { startDemo, type RunningDemo } from './support/demo';

// MCP Apps in a real browser: the demo backend, a small host page (views/host) built on the
// extension's own AppBridge with a real MCP client, headless Chromium (Debian's chromium).
// Tried twice: a 1.x client that declares nothing on stateless requests, and a 2.x client
// that declares the extension. Screenshots go to release/screenshots/ for the README.

const TOKEN = 'apps-host-test-token-0123';
const SHOTS = resolve(__dirname, '../release/screenshots');
let demo: RunningDemo;
let server: http.Server;
let hostUrl: string;
let browser: Browser;
let workDir: string;
const consoleErrors: string[] = [];

/** Serves the host page and its bundle, and passes /api/ to the demo (one origin). */
async function serveHost(dir: string, backend: string): Promise<string> {
  const port = await freePort();
  server = http.createServer(async (req, res) => {
    if (req.url?.startsWith('/api/')) {
      const upstream = http.request(
        `${backend}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(backend).host } },
        answer => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const file = req.url === '/host.js' ? 'host.js' : 'index.html';
    const type = file.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'content-type': type }).end(await readFile(join(dir, file)));
  });
  await new Promise<void>(ready => server.listen(port, '127.0.0.1', ready));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  demo = await startDemo(TOKEN);
  workDir = await mkdtemp(join(tmpdir(), 'apps-host-'));
  await build({
    entryPoints: [resolve(__dirname, '../views/host/host.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    outfile: join(workDir, 'host.js'),
    logLevel: 'warning',
  });
  await mkdir(SHOTS, { recursive: true });
  await copyFile(resolve(__dirname, '../views/host/index.html'), join(workDir, 'index.html'));
  hostUrl = await serveHost(workDir, demo.base);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise(r => (server ? server.close(r) : r(undefined)));
  await demo?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function hostPage(line: 'v1' | 'v2'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  page.on('console', m => {
    if (m.type() !== 'error') return;
    // Both SDKs try GET for a standalone stream; a stateless server answers 405, as the
    // Streamable HTTP transport says, and the client goes on without one. Chromium logs it.
    const getStream = m.location().url.endsWith('/api/mcp-actions/v1') && m.text().includes('405');
    if (!getStream) consoleErrors.push(`${line}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', e => consoleErrors.push(`${line}: ${e.message}`));
  await page.goto(`${hostUrl}/`);
  const mcpUrl = `${hostUrl}/api/mcp-actions/v1`;
  const tools = await page.evaluate(
    ([l, u, t]) => (window as any).appsHost.start(l, u, t),
    [line, mcpUrl, TOKEN] as const,
  );
  const views = Object.fromEntries(
    (tools as Array<{ name: string; _meta?: { ui?: { resourceUri?: string } } }>)
      .filter(t => t._meta?.ui?.resourceUri)
      .map(t => [t.name, t._meta!.ui!.resourceUri]),
  );
  expect(views).toEqual({
    'catalog.get-catalog-entity': 'ui://mcp-actions/entity-card.html',
    'catalog.query-catalog-entities': 'ui://mcp-actions/entity-table.html',
    'platform.list-incidents': 'ui://mcp-actions/result.html',
    'platform.get-service-health': 'ui://mcp-actions/views/1/service-health.html',
  });
  return page;
}

async function show(page: Page, name: string, args: object, theme: 'light' | 'dark') {
  return (await page.evaluate(
    ([n, a, th]) => (window as any).appsHost.show(n, a, th),
    [name, args, theme] as const,
  )) as { structuredContent?: any; isError?: boolean };
}

/** The view's frame (the one the last `show` made), once it has rendered `selector`. */
async function view(page: Page, selector: string): Promise<Frame> {
  const frame = (await (await page.waitForSelector('iframe')).contentFrame())!;
  await frame.waitForSelector(selector, { timeout: 15_000 });
  return frame;
}

/** Waits until the frame is as tall as the view says it is (`ui/notifications/size-changed`). */
async function settled(page: Page, frame: Frame): Promise<void> {
  await expect
    .poll(async () => {
      const content = await frame.evaluate(() => document.documentElement.getBoundingClientRect().height);
      const height = await page.evaluate(() => document.querySelector('iframe')!.clientHeight);
      return Math.abs(height - content);
    })
    .toBeLessThan(2);
}

async function openedLinks(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as any).appsHost.state.openedLinks);
}

/** The catalog reads its locations after startup: wait until both components are in it. */
async function components(page: Page): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const result = await show(page, 'catalog.query-catalog-entities', { query: { kind: 'Component' } }, 'light');
    if ((result.structuredContent?.items?.length ?? 0) >= 2 || Date.now() > deadline) return;
    await new Promise(r => setTimeout(r, 300));
  }
}

describe.each(['v1', 'v2'] as const)('MCP Apps views in a host built on AppBridge (%s client)', line => {
  let page: Page;

  beforeAll(async () => {
    page = await hostPage(line);
    await components(page);
  }, 60_000);

  afterAll(async () => page?.close());

  it('shows the entity card of a real catalog.get-catalog-entity call', async () => {
    const result = await show(page, 'catalog.get-catalog-entity', { kind: 'Component', name: 'payments-service' }, 'light');
    expect(result.structuredContent.spec).toMatchObject({ owner: 'platform-team', lifecycle: 'production' });
    const frame = await view(page, 'article.card');
    expect(await frame.textContent('h1')).toBe('payments-service');
    const fields = await frame.$$eval('.fields > .field', els =>
      els.map(e => [e.querySelector('dt')!.textContent, e.querySelector('dd')!.textContent]),
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        ['Owner', 'group:platform-team'],
        ['System', 'system:payments'],
        ['Lifecycle', 'production'],
        ['Type', 'service'],
      ]),
    );
    expect(await frame.$$eval('.tags li', els => els.map(e => e.textContent))).toEqual(['java', 'payments']);
    expect(await frame.$$eval('.links a', els => els.map(e => e.textContent))).toEqual(['Runbook']);
    await frame.click('.links a');
    await expect.poll(() => openedLinks(page)).toContain('https://runbooks.example.com/payments-service');
    await settled(page, frame);
    if (line === 'v2') await page.locator('#views').screenshot({ path: join(SHOTS, 'apps-entity-card.png') });

    // "Open in Backstage" reaches the host as ui/open-link with the entity page's URL.
    await frame.click('a.open');
    await expect.poll(() => openedLinks(page)).toContain(`${demo.base}/catalog/default/component/payments-service`);
  });

  it('shows the entity table of a real query, and a row opens its card through the host', async () => {
    const result = await show(page, 'catalog.query-catalog-entities', { query: { kind: 'Component' } }, 'light');
    const expected = result.structuredContent.items.length;
    expect(expected).toBe(2);
    const frame = await view(page, 'table.entities tbody tr');
    expect(await frame.$$eval('table.entities tbody tr', rows => rows.length)).toBe(expected);
    expect(await frame.textContent('.count')).toBe(`${expected} of ${expected} entities`);

    // Sorting by name, descending, then filtering.
    await frame.click('th:first-child button');
    expect(await frame.$$eval('tbody tr td:first-child', c => c.map(e => e.textContent))).toEqual([
      'web-frontend',
      'payments-service',
    ]);
    await frame.fill('input.filter', 'website');
    expect(await frame.$$eval('tbody tr td:first-child', c => c.map(e => e.textContent))).toEqual(['web-frontend']);
    expect(await frame.textContent('.count')).toBe(`1 of ${expected} entities`);
    await frame.fill('input.filter', '');
    await settled(page, frame);
    if (line === 'v2') await page.locator('#views').screenshot({ path: join(SHOTS, 'apps-entity-table.png') });

    // A row click calls the entity tool through the host and shows its card.
    await frame.click('tr[data-entity-ref="component:default/web-frontend"]');
    await frame.waitForSelector('article.card');
    expect(await frame.textContent('article.card h1')).toBe('web-frontend');
    expect(await frame.textContent('.description')).toBe('The customer-facing web application.');
    if (line === 'v1') {
      expect(await page.evaluate(() => (window as any).appsHost.state.hostCalls)).toContain('catalog.get-catalog-entity');
    }
    await frame.click('button.back');
    expect(await frame.$$eval('table.entities tbody tr', rows => rows.length)).toBe(expected);
  });

  it('follows a dark host theme', async () => {
    await show(page, 'catalog.get-catalog-entity', { name: 'payments-api' }, 'dark');
    const frame = await view(page, 'article.card');
    const colours = await frame.evaluate(() => {
      const body = getComputedStyle(document.body);
      return { background: body.backgroundColor, text: body.color, theme: document.documentElement.dataset.theme };
    });
    expect(colours).toEqual({ background: 'rgb(18, 18, 18)', text: 'rgb(241, 241, 241)', theme: 'dark' });
    await settled(page, frame);
    if (line === 'v2') await page.locator('#views').screenshot({ path: join(SHOTS, 'apps-entity-card-dark.png') });
  });

  it('shows any structured output in the result view, turned on for a tool in the config', async () => {
    const result = await show(page, 'platform.list-incidents', {}, 'light');
    const incidents = result.structuredContent.incidents;
    expect(incidents.length).toBeGreaterThan(0);
    const frame = await view(page, 'article.card table');
    expect(await frame.textContent('article.card h1')).toBe('List incidents');
    expect(await frame.$$eval('thead th', th => th.map(e => e.textContent))).toEqual(
      expect.arrayContaining(['Id', 'Title', 'Service', 'Severity', 'Status', 'Opened by']),
    );
    expect(await frame.$$eval('tbody tr', rows => rows.length)).toBe(incidents.length);
    // An entity reference is a link to its page, opened through the host.
    await frame.click('a:text("user:default/jane")');
    await expect.poll(() => openedLinks(page)).toContain(`${demo.base}/catalog/default/user/jane`);
    await settled(page, frame);
    if (line === 'v2') await page.locator('#views').screenshot({ path: join(SHOTS, 'apps-result.png') });
  });

  it("shows an adopter's own view from its HTML file", async () => {
    const result = await show(page, 'platform.get-service-health', { service: 'web-frontend' }, 'light');
    expect(result.structuredContent.status).toBe('healthy');
    const frame = await view(page, '.status');
    expect(await frame.textContent('.status')).toBe('healthy');
    expect(await frame.textContent('strong')).toBe('web-frontend');
    await settled(page, frame);
    if (line === 'v2') await page.locator('#views').screenshot({ path: join(SHOTS, 'apps-adopter-view.png') });
  });

  it('sizes itself to its content and fits a narrow frame', async () => {
    await page.evaluate(() => document.getElementById('views')!.classList.add('narrow'));
    await show(page, 'catalog.query-catalog-entities', { query: { kind: 'Component' } }, 'light');
    const frame = await view(page, 'table.entities tbody tr');
    const { scroll, client } = await frame.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(scroll).toBeLessThanOrEqual(client);
    // Each row is a small card of labelled cells at this width.
    expect(await frame.$eval('tbody td', td => getComputedStyle(td, '::before').content)).toBe('"Name"');
    await settled(page, frame);
    if (line === 'v2') await page.locator('#views').screenshot({ path: join(SHOTS, 'apps-entity-table-narrow.png') });
    await page.evaluate(() => document.getElementById('views')!.classList.remove('narrow'));
  });
});

describe('the browser', () => {
  it('logged no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
