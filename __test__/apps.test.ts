import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { testActionsPlugin } from './support/testActionsPlugin';

// MCP Apps through a real Backstage backend and both SDK lines: which client gets views,
// what it gets byte for byte when it declares none, the views as resources, and the config
// errors an adopter sees at startup.

const UI = 'io.modelcontextprotocol/ui';
const MIME = 'text/html;profile=mcp-app';
const CARD = 'ui://mcp-actions/entity-card.html';
const RESULT = 'ui://mcp-actions/result.html';

/** A plugin with an action whose output is one entity, so it gets the entity card. */
const entityActions = createBackendPlugin({
  pluginId: 'entities',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'describe-entity',
          title: 'Describe entity',
          description: 'Returns one fixed catalog entity.',
          attributes: { readOnly: true },
          schema: {
            input: z => z.object({ name: z.string() }),
            output: z => z.object({ apiVersion: z.string(), kind: z.string(), metadata: z.object({ name: z.string() }) }),
          },
          action: async ({ input }) => ({
            output: { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: input.name } },
          }),
        });
      },
    });
  },
});

function backend(mcpActions: object): Promise<RunningBackend> {
  return startBackend({
    features: [mcpActionsPlugin, entityActions, testActionsPlugin],
    config: { mcpActions: mcpActions as never, backend: { actions: { pluginSources: ['entities', 'testing'] } } },
  });
}

/** Each response body's JSON-RPC messages, as text, in order (SSE data lines or JSON). */
function recorder() {
  const bodies: string[] = [];
  const record = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'POST' && res.status === 200) {
      const text = await res.clone().text();
      const messages = res.headers.get('content-type')?.startsWith('text/event-stream')
        ? text
            .split('\n')
            .filter(l => l.startsWith('data: ') && l.length > 6)
            .map(l => l.slice(6))
        : [text];
      bodies.push(...messages.filter(m => m.includes('"result"')));
    }
    return res;
  };
  return { bodies, fetch: record as typeof fetch };
}

const auth = { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } };

type Recorded = ReturnType<typeof recorder>;

/** tools/list and two tools/call answers of a client `connect` made, as their bodies. */
async function answers(connect: (r: Recorded) => Promise<Client | ModernClient>): Promise<string[]> {
  const recorded = recorder();
  const client = await connect(recorded);
  recorded.bodies.length = 0;
  await client.listTools();
  await client.callTool({ name: 'entities.describe-entity', arguments: { name: 'a' } });
  await client.callTool({ name: 'testing.echo', arguments: { message: 'hi' } });
  await client.close();
  return recorded.bodies;
}

/** As a 1.x client (a session when the server keeps them) that declares nothing. */
const legacyAnswers = (url: string) =>
  answers(async ({ fetch }) => {
    const client = new Client({ name: 'plain-1x', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: auth, fetch }));
    return client;
  });

/** As a 2.x (2026-07-28) client, declaring `extensions`. */
const modernAnswers = (url: string, extensions?: object) =>
  answers(async ({ fetch }) => {
    const client = new ModernClient(
      { name: 'plain-2x', version: '2.0.0' },
      extensions ? { capabilities: { extensions } as never } : undefined,
    );
    await client.connect(new ModernTransport(new URL(url), { requestInit: auth, fetch }));
    return client;
  });

/** The tools of a tools/list answer that name a view, and the view. */
function viewsOf(listBody: string): Record<string, unknown> {
  const tools = (JSON.parse(listBody).result.tools as Array<{ name: string; _meta?: any }>) ?? [];
  return Object.fromEntries(tools.filter(t => t._meta?.ui).map(t => [t.name, t._meta.ui.resourceUri]));
}

let on: RunningBackend;
let off: RunningBackend;
let stateless: RunningBackend;
const views = [{ tool: 'testing.echo', view: 'result' }];

beforeAll(async () => {
  [on, off, stateless] = await Promise.all([
    backend({ sessions: { stateful: true }, apps: { views } }),
    backend({ sessions: { stateful: true }, apps: { enabled: false } }),
    backend({ apps: { views } }),
  ]);
});

afterAll(async () => {
  await Promise.all([on?.stop(), off?.stop(), stateless?.stop()]);
});

describe('clients known to lack MCP Apps see no change', () => {
  it('a 1.x client whose session declared nothing: tool list and results byte for byte', async () => {
    const [withViews, without] = await Promise.all([legacyAnswers(on.mcpUrl), legacyAnswers(off.mcpUrl)]);
    expect(withViews).toHaveLength(3);
    expect(withViews).toEqual(without);
    expect(withViews.join('')).not.toContain('ui://');
  });

  it('a 2.x client that declares no extension: tool list and results byte for byte', async () => {
    const [withViews, without] = await Promise.all([modernAnswers(on.mcpUrl), modernAnswers(off.mcpUrl)]);
    expect(withViews).toHaveLength(3);
    expect(withViews).toEqual(without);
    expect(withViews.join('')).not.toContain('ui://');
  });
});

describe('legacy HTTP+SSE sessions follow their initialize', () => {
  /** The tools/list of a 1.x client on the legacy SSE transport, declaring `capabilities`. */
  const sseTools = async (url: string, capabilities?: object) => {
    const client = new Client({ name: 'sse-1x', version: '1.0.0' }, capabilities ? { capabilities } : undefined);
    await client.connect(new SSEClientTransport(new URL(`${url}/sse`), { requestInit: auth }));
    const { tools } = await client.listTools();
    await client.close();
    return tools;
  };

  it('a session that declared nothing lists the same tools as a build without views', async () => {
    const [withViews, without] = await Promise.all([sseTools(on.mcpUrl), sseTools(off.mcpUrl)]);
    expect(withViews.map(t => t.name)).toContain('entities.describe-entity');
    expect(withViews).toEqual(without);
    expect(JSON.stringify(withViews)).not.toContain('ui://');
  });

  it('a session that declared the extension gets the views', async () => {
    const tools = await sseTools(on.mcpUrl, { extensions: { [UI]: { mimeTypes: [MIME] } } });
    const named = Object.fromEntries(tools.filter(t => t._meta?.ui).map(t => [t.name, (t._meta as any).ui.resourceUri]));
    expect(named).toEqual({ 'entities.describe-entity': CARD, 'testing.echo': RESULT });
  });
});

describe('clients that get the views', () => {
  it('a 2.x client that declares the extension: tools carry _meta.ui, results stay the same', async () => {
    const declared = await modernAnswers(on.mcpUrl, { [UI]: { mimeTypes: [MIME] } });
    const plain = await modernAnswers(off.mcpUrl);
    expect(viewsOf(declared[0])).toEqual({ 'entities.describe-entity': CARD, 'testing.echo': RESULT });
    const tool = JSON.parse(declared[0]).result.tools.find((t: any) => t.name === 'entities.describe-entity');
    expect(tool._meta).toEqual({ ui: { resourceUri: CARD, visibility: ['model', 'app'] }, 'ui/resourceUri': CARD });
    // The results (and so the text the model reads) are the same bytes.
    expect(declared.slice(1)).toEqual(plain.slice(1));
  });

  it('a 1.x client on a stateless server (nothing known of it) gets the views', async () => {
    const answers = await legacyAnswers(stateless.mcpUrl);
    expect(viewsOf(answers[0])).toEqual({ 'entities.describe-entity': CARD, 'testing.echo': RESULT });
  });

  it('reads each view as the built HTML with the MCP Apps type and meta', async () => {
    const client = new Client({ name: 'reader', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stateless.mcpUrl), { requestInit: auth }));
    for (const name of ['entity-card', 'entity-table', 'result']) {
      const { contents } = await client.readResource({ uri: `ui://mcp-actions/${name}.html` });
      const built = readFileSync(resolve(__dirname, `../views/dist/${name}.html`), 'utf8');
      expect(contents[0]).toMatchObject({ uri: `ui://mcp-actions/${name}.html`, mimeType: MIME });
      expect(contents[0]._meta).toEqual({
        ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true },
      });
      const text = (contents[0] as { text: string }).text;
      // The built file, with what the engine tells the view put before </head>.
      const config = `<script type="application/json" id="mcp-actions-view-config">{"appBaseUrl":"${stateless.baseUrl}","entityTool":"catalog.get-catalog-entity"}</script>`;
      expect(text).toBe(built.replace('</head>', `${config}</head>`));
    }
    const { resources } = await client.listResources();
    expect(resources.map(r => r.uri)).toEqual([CARD, 'ui://mcp-actions/entity-table.html', RESULT]);
    await expect(client.readResource({ uri: 'ui://mcp-actions/nope.html' })).rejects.toThrow('Resource not found');
    await client.close();
  });
});

describe('mcpActions.apps.views mistakes stop the backend at startup', () => {
  it('names the key and the file that is not HTML', async () => {
    const file = resolve(__dirname, '../package.json');
    await expect(backend({ apps: { views: [{ tool: 'entities.*', file }] } })).rejects.toThrow(
      `mcpActions.apps.views[0].file: ${file} is not an HTML document`,
    );
  });

  it('names the key and the file that cannot be read', async () => {
    await expect(backend({ apps: { views: [{ tool: 'entities.*', file: 'no/such/view.html' }] } })).rejects.toThrow(
      /mcpActions\.apps\.views\[0\]\.file: no\/such\/view\.html cannot be read/,
    );
  });

  it('names a view that does not exist', async () => {
    await expect(backend({ apps: { views: [{ tool: 'entities.*', view: 'chart' }] } })).rejects.toThrow(
      'mcpActions.apps.views[0].view: must be entity-card, entity-table or result, got "chart"',
    );
  });
});
