import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  UrlElicitationRequiredError,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { guestAuthConfig, guestUserToken, OTHER_TOKEN, STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { CapturedLines } from './support/capture';
import { curlsOf, runCurl, urlElicitingCall } from './support/elicitationHttp';
import { secretsActionsPlugin, sha256 } from './support/secretsActionsPlugin';

// Actions that declare secrets, as tools: the first call asks the user (URL elicitation, in
// the form each client can act on), the user submits on the page's API, the retried call runs
// with them. Real backends (SQLite files, so every row can be read back), the real SDKs of
// both lines, the auth backend's guest user; every log line and audit event is captured, and
// at the end nothing anywhere holds the secret.

/** better-sqlite3 (the backend's own SQLite driver), for reading every row back. */
const openDatabase = createRequire(__filename)('better-sqlite3') as (file: string, options: object) => {
  prepare(sql: string): { all(): Record<string, unknown>[] };
  close(): void;
};

const KEY = randomBytes(32).toString('base64');
const SECRET = `deploy-token-${randomBytes(12).toString('hex')}`;
const captured = new CapturedLines();
const answers: string[] = [];
const dirs: string[] = [];
let stateless: RunningBackend;
let stateful: RunningBackend;
let guest: string;
let statefulGuest: string;

function start(mcpActions: object) {
  const directory = mkdtempSync(join(tmpdir(), 'mcp-secrets-'));
  dirs.push(directory);
  return startBackend({
    features: [
      mcpActionsPlugin,
      secretsActionsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
      captured.factory(),
    ],
    config: {
      ...guestAuthConfig,
      backend: { actions: { pluginSources: ['vault'] }, database: { client: 'better-sqlite3', connection: { directory } } },
      mcpActions: { secrets: { encryptionKey: KEY }, ...mcpActions },
    },
  });
}

beforeAll(async () => {
  stateless = await start({});
  stateful = await start({ sessions: { stateful: true }, secrets: { encryptionKey: KEY, ttlSeconds: 60 } });
  guest = await guestUserToken(stateless.baseUrl);
  statefulGuest = await guestUserToken(stateful.baseUrl);
});
afterAll(async () => {
  await stateless?.stop();
  await stateful?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The page's API, as the signed-in `token`. */
async function page(backend: RunningBackend, id: string, token: string, submit?: object) {
  const url = `${backend.baseUrl}/api/mcp-actions/v1/elicitations/${id}${submit ? '/secrets' : ''}`;
  const res = await fetch(url, {
    method: submit ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${token}`, ...(submit && { 'Content-Type': 'application/json' }) },
    body: submit && JSON.stringify(submit),
  });
  const text = await res.text();
  answers.push(text);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: JSON.parse(text) as any };
}

/** The guest user of `backend` (each backend signs its own tokens). */
const guestOf = (backend: RunningBackend) => (backend === stateful ? statefulGuest : guest);

/** The user opens the page and submits `secrets`. */
async function userSubmits(backend: RunningBackend, id: string, secrets: object = { token: SECRET }) {
  const view = await page(backend, id, guestOf(backend));
  expect(view.status).toBe(200);
  const sent = await page(backend, id, guestOf(backend), { csrfToken: view.body.csrfToken, secrets });
  expect(sent).toEqual({ status: 200, body: { ok: true } });
}

const idOf = (url: string) => url.split('/mcp-actions/secrets/')[1];

/** A 2026-07-28 `tools/call` of vault.deploy from a client that declares URL elicitation. */
async function modernCall(backend: RunningBackend, token: string, args: object, extra: object = {}) {
  const answer = await urlElicitingCall(backend.mcpUrl, token, 'vault.deploy', args, extra);
  answers.push(answer.text);
  return answer;
}

async function legacyClient(backend: RunningBackend, capabilities: object = {}) {
  const client = new Client({ name: 'secrets-e2e', version: '1.0.0' }, { capabilities });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${guestOf(backend)}` } },
    }),
  );
  return client;
}

describe('a tool whose action needs secrets', () => {
  it('says which secrets it needs, never asking for them as arguments', async () => {
    const client = await legacyClient(stateless);
    const tool = (await client.listTools()).tools.find(t => t.name === 'vault.deploy')!;
    expect(tool.description).toBe(
      'Deploys a service with the caller’s deploy token. Needs secrets: token (Your personal deploy token). The user gives them on a Backstage page this tool links to when called; never pass them as arguments.',
    );
    expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(['service']);
    await client.close();
  });

  it('1.x, stateless: an isError result with the link; after the user submits, the same call runs', async () => {
    const client = await legacyClient(stateless);
    const first = await client.callTool({ name: 'vault.deploy', arguments: { service: 'api' } });
    answers.push(JSON.stringify(first));
    expect(first.isError).toBe(true);
    const text = (first.content as { text: string }[])[0].text;
    expect(text).toMatch(
      new RegExp(`^SecretsRequired: Tool "vault.deploy" needs secrets \\(token\\) that must not pass through this conversation. Open ${stateless.baseUrl}/mcp-actions/secrets/[0-9a-f]{32} and enter them in Backstage; the link is yours only and works for 5 minutes. Then call this tool again with the same arguments.$`),
    );
    const id = idOf(text.match(/http\S+/)![0]);
    const view = await page(stateless, id, guest);
    expect(view.body).toMatchObject({
      elicitationId: id,
      action: { id: 'vault:deploy', title: 'Deploy with a token', description: 'Deploys a service with the caller’s deploy token.' },
      tool: 'vault.deploy',
      // A stateless legacy request carries no clientInfo (that came with its initialize).
      client: null,
      secretsSchema: { type: 'object', properties: { token: { type: 'string', description: 'Your personal deploy token' } }, required: ['token'] },
    });
    expect(view.body.csrfToken).toMatch(/^[0-9a-f]{32}$/);
    await userSubmits(stateless, id);
    const second = await client.callTool({ name: 'vault.deploy', arguments: { service: 'api' } });
    answers.push(JSON.stringify(second));
    expect(second.structuredContent).toEqual({ service: 'api', tokenSha256: sha256(SECRET), by: 'user:development/guest' });
    // Used once: the next call asks again.
    const third = await client.callTool({ name: 'vault.deploy', arguments: { service: 'api' } });
    expect(third.isError).toBe(true);
    await client.close();
  });

  it('1.x in a session that declared URL elicitation: -32042 with the elicitation, then the retry runs', async () => {
    const client = await legacyClient(stateful, { elicitation: { url: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept' }));
    const completed: string[] = [];
    client.setNotificationHandler(ElicitationCompleteNotificationSchema, async n => {
      completed.push(n.params.elicitationId);
    });
    const refused = await client.callTool({ name: 'vault.deploy', arguments: { service: 'web' } }).catch(e => e);
    expect(refused).toBeInstanceOf(UrlElicitationRequiredError);
    expect(refused.code).toBe(-32042);
    const [elicitation] = (refused as UrlElicitationRequiredError).elicitations;
    expect(elicitation).toMatchObject({ mode: 'url', url: `${stateful.baseUrl}/mcp-actions/secrets/${elicitation.elicitationId}` });
    expect(elicitation.message).toContain('needs secrets (token)');
    await userSubmits(stateful, elicitation.elicitationId);
    // The session's stream hears that the user is done (the client may retry on it).
    for (let i = 0; i < 50 && completed.length === 0; i++) await new Promise(r => setTimeout(r, 40));
    expect(completed).toEqual([elicitation.elicitationId]);
    const result = await client.callTool({ name: 'vault.deploy', arguments: { service: 'web' } });
    answers.push(JSON.stringify(result));
    expect(result.structuredContent).toMatchObject({ service: 'web', tokenSha256: sha256(SECRET) });
    await client.close();
  });

  it('2.x on 2026-07-28: input_required, the client opens the URL (the user submits), retries, and the call runs', async () => {
    const client = new ModernClient(
      { name: 'secrets-modern', version: '1.0.0' },
      { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async request => {
      const params = request.params as { mode: string; url: string };
      asked.push(params.url);
      // The user, in the browser, on the page the URL names.
      await userSubmits(stateless, idOf(params.url));
      return { action: 'accept' };
    });
    await client.connect(
      new ModernTransport(new URL(stateless.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${guest}` } } }),
    );
    const result = await client.callTool({ name: 'vault.deploy', arguments: { service: 'db' } });
    answers.push(JSON.stringify(result));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(new RegExp(`^${stateless.baseUrl}/mcp-actions/secrets/[0-9a-f]{32}$`));
    expect(result.structuredContent).toEqual({ service: 'db', tokenSha256: sha256(SECRET), by: 'user:development/guest' });
    await client.close();
  });

  it('2.x in the 2025 era (its default), stateless: the isError link, then the same call runs', async () => {
    const client = new ModernClient({ name: 'secrets-legacy-2x', version: '1.0.0' }, { capabilities: { elicitation: { url: {} } } });
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept' }));
    await client.connect(
      new ModernTransport(new URL(stateless.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${guest}` } } }),
    );
    const first = await client.callTool({ name: 'vault.deploy', arguments: { service: 'queue' } });
    answers.push(JSON.stringify(first));
    expect(first.isError).toBe(true);
    const text = (first.content as { text: string }[])[0].text;
    expect(text).toMatch(/^SecretsRequired: Tool "vault\.deploy" needs secrets \(token\)/);
    await userSubmits(stateless, idOf(text.match(/http\S+/)![0]));
    const second = await client.callTool({ name: 'vault.deploy', arguments: { service: 'queue' } });
    answers.push(JSON.stringify(second));
    expect(second.structuredContent).toEqual({ service: 'queue', tokenSha256: sha256(SECRET), by: 'user:development/guest' });
    await client.close();
  });

  it('2026-07-28 on the wire: input_required names the elicitation in requestState; an early retry is asked again', async () => {
    const first = await modernCall(stateless, guest, { service: 'x' });
    expect(first.status).toBe(200);
    expect(first.result.resultType).toBe('input_required');
    expect(first.result.requestState).toMatch(/^mcp-actions:elicitation:[0-9a-f]{32}$/);
    const url = first.result.inputRequests.secrets.params.url as string;
    expect(first.result.inputRequests.secrets).toMatchObject({ method: 'elicitation/create', params: { mode: 'url' } });
    const retryParams = { requestState: first.result.requestState, inputResponses: { secrets: { action: 'accept' } } };
    const early = await modernCall(stateless, guest, { service: 'x' }, retryParams);
    expect(early.result.resultType).toBe('input_required');
    expect(early.result.requestState).toBe(first.result.requestState);
    await userSubmits(stateless, idOf(url));
    const done = await modernCall(stateless, guest, { service: 'x' }, retryParams);
    expect(done.result.structuredContent).toEqual({ service: 'x', tokenSha256: sha256(SECRET), by: 'user:development/guest' });
  });
});

describe('a static token (a service principal) gives its secrets through the API', () => {
  /** A 1.x client connected with a static token, as the demo's banner tells people to. */
  async function serviceClient(token: string) {
    const client = new Client({ name: 'ci-script', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(stateless.mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    return client;
  }

  it('is told the exact curl with the same token; the curl works; the retry runs with the secret', async () => {
    const client = await serviceClient(STATIC_TOKEN);
    const first = await client.callTool({ name: 'vault.deploy', arguments: { service: 'ci' } });
    answers.push(JSON.stringify(first));
    expect(first.isError).toBe(true);
    const text = (first.content as { text: string }[])[0].text;
    const api = `${stateless.baseUrl}/api/mcp-actions/v1/elicitations/`;
    expect(text).toMatch(
      new RegExp(
        `^SecretsRequired: Tool "vault\\.deploy" needs secrets \\(token\\) that must not pass through this conversation\\. This call runs as service:mcp-tests, a service principal \\(a static token\\) with no Backstage page session, so the page cannot take them: give them through the plugin's API with the same token, within 5 minutes\\. First \`curl -s -H "Authorization: Bearer \\$BACKSTAGE_MCP_TOKEN" ${api}[0-9a-f]{32}\` answers`,
      ),
    );
    expect(text).toContain('Then call this tool again with the same arguments.');
    expect(text).not.toContain(STATIC_TOKEN);
    // The two commands, run as a person would: the token from the environment, the csrfToken
    // from the first answer, the secret typed in.
    const [read, send] = curlsOf(text);
    const view = await runCurl(read, STATIC_TOKEN);
    expect(view).toMatchObject({ tool: 'vault.deploy', action: { id: 'vault:deploy' }, secretsSchema: { required: ['token'] } });
    const filled = send.replace('<csrfToken>', view.csrfToken).replace('<token>', SECRET);
    // Another static token gets 403 with the same commands.
    expect((await runCurl(read, OTHER_TOKEN)).error.name).toBe('NotAllowedError');
    expect((await runCurl(filled, OTHER_TOKEN)).response.statusCode).toBe(403);
    expect(await runCurl(filled, STATIC_TOKEN)).toEqual({ ok: true });
    const second = await client.callTool({ name: 'vault.deploy', arguments: { service: 'ci' } });
    answers.push(JSON.stringify(second));
    // A service caller reaches the action as the calling plugin (Backstage's service-to-service
    // token for a service principal; see tasks.test.ts).
    expect(second.structuredContent).toEqual({ service: 'ci', tokenSha256: sha256(SECRET), by: 'service:plugin:mcp-actions' });
    await client.close();
  });

  it('2026-07-28 with URL elicitation: the message says the same, and the retry runs after the API submission', async () => {
    const first = await modernCall(stateless, STATIC_TOKEN, { service: 'ci-modern' });
    expect(first.result.resultType).toBe('input_required');
    const { message, url } = first.result.inputRequests.secrets.params as { message: string; url: string };
    expect(message).toContain('This call runs as service:mcp-tests, a service principal (a static token) with no Backstage page session');
    const id = idOf(url);
    expect(message).toContain(`${stateless.baseUrl}/api/mcp-actions/v1/elicitations/${id}/secrets`);
    const view = await page(stateless, id, STATIC_TOKEN);
    expect(view.status).toBe(200);
    expect(await page(stateless, id, STATIC_TOKEN, { csrfToken: view.body.csrfToken, secrets: { token: SECRET } })).toEqual({
      status: 200,
      body: { ok: true },
    });
    const retry = { requestState: first.result.requestState, inputResponses: { secrets: { action: 'accept' } } };
    const done = await modernCall(stateless, STATIC_TOKEN, { service: 'ci-modern' }, retry);
    expect(done.result.structuredContent).toEqual({ service: 'ci-modern', tokenSha256: sha256(SECRET), by: 'service:plugin:mcp-actions' });
  });
});

describe('the page API refuses precisely', () => {
  async function asked(backend: RunningBackend, token: string) {
    const first = await modernCall(backend, token, { service: 'refusals' });
    return idOf(first.result.inputRequests.secrets.params.url as string);
  }

  it('unknown, not signed in, a service, someone else', async () => {
    const unknown = await page(stateless, '0'.repeat(32), guest);
    expect(unknown).toEqual({
      status: 404,
      body: {
        error: { name: 'NotFoundError', message: `No request for secrets "${'0'.repeat(32)}": it is unknown or expired; call the tool again for a new one` },
        response: { statusCode: 404 },
      },
    });
    const id = await asked(stateless, guest);
    const anonymous = await fetch(`${stateless.baseUrl}/api/mcp-actions/v1/elicitations/${id}`);
    expect(anonymous.status).toBe(401);
    const notYours = {
      status: 403,
      body: {
        error: { name: 'NotAllowedError', message: 'This request for secrets belongs to another caller: only the user or service whose tool call asked can answer it' },
        response: { statusCode: 403 },
      },
    };
    // The guest's request is not a service's to see or answer, and a service's is not the
    // guest's, nor another service's.
    const theirs = await asked(stateless, STATIC_TOKEN);
    for (const [request, token] of [[id, STATIC_TOKEN], [theirs, guest], [theirs, OTHER_TOKEN]]) {
      expect(await page(stateless, request, token)).toEqual(notYours);
      expect(await page(stateless, request, token, { csrfToken: 'x', secrets: { token: SECRET } })).toEqual(notYours);
    }
  });

  it('a bad CSRF token, secrets of the wrong shape (naming the field, never the value), reuse', async () => {
    const id = await asked(stateless, guest);
    const { body: view } = await page(stateless, id, guest);
    const refusal = async (submit: object) => (await page(stateless, id, guest, submit)).body.error;
    expect(await refusal({ csrfToken: 'f'.repeat(32), secrets: { token: SECRET } })).toEqual({
      name: 'InputError',
      message: 'Invalid CSRF token: reload the page and submit again',
    });
    expect(await refusal({ secrets: { token: SECRET } })).toMatchObject({ name: 'InputError' });
    expect(await refusal({ csrfToken: view.csrfToken, secrets: {} })).toEqual({
      name: 'InputError',
      message: 'Invalid secrets: the secret "token" is required',
    });
    expect(await refusal({ csrfToken: view.csrfToken, secrets: { token: 12345 } })).toEqual({
      name: 'InputError',
      message: 'Invalid secrets: the secret "token" must be of type string',
    });
    expect(await refusal({ csrfToken: view.csrfToken, secrets: 'hunter2' })).toEqual({
      name: 'InputError',
      message: 'Invalid secrets: "secrets" must be an object of the declared secrets',
    });
    const bad = await fetch(`${stateless.baseUrl}/api/mcp-actions/v1/elicitations/${id}/secrets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${guest}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'The body must be JSON: { "csrfToken": ..., "secrets": { ... } }',
    );
    // Once submitted, the request is answered: a second submission and a second view are 409.
    expect((await page(stateless, id, guest, { csrfToken: view.csrfToken, secrets: { token: SECRET } })).status).toBe(200);
    for (const again of [page(stateless, id, guest, { csrfToken: view.csrfToken, secrets: { token: SECRET } }), page(stateless, id, guest)]) {
      expect((await again).body.error).toEqual({
        name: 'ConflictError',
        message: 'The secrets for this request were already provided; call the tool again for a new one',
      });
    }
  });

  it('expiry: an answer after the request expired is refused, and no call uses it', async () => {
    const short = await start({ secrets: { encryptionKey: KEY, ttlSeconds: 1 } });
    try {
      const token = await guestUserToken(short.baseUrl);
      const id = await asked(short, token);
      const { body: view } = await page(short, id, token);
      await new Promise(resolve => setTimeout(resolve, 1100));
      expect((await page(short, id, token)).status).toBe(404);
      expect((await page(short, id, token, { csrfToken: view.csrfToken, secrets: { token: SECRET } })).status).toBe(404);
      const retry = await modernCall(short, token, { service: 'refusals' }, { requestState: `mcp-actions:elicitation:${id}` });
      expect(retry.result.resultType).toBe('input_required');
      expect(retry.result.requestState).not.toBe(`mcp-actions:elicitation:${id}`);
    } finally {
      await short.stop();
    }
  });
});

describe('where the secret went', () => {
  it('no log line, audit event, MCP answer or database row holds it', () => {
    // The capture saw the run (the plugin's logs and its audit events are there).
    expect(captured.lines.some(l => l.includes('the caller submitted the secrets of a tool call'))).toBe(true);
    expect(captured.lines.some(l => l.includes('"isAuditEvent":true') && l.includes('mcp-actions'))).toBe(true);
    const logged = captured.lines.filter(l => l.includes(SECRET));
    expect(logged).toEqual([]);
    expect(answers.filter(a => a.includes(SECRET))).toEqual([]);
    let rows = 0;
    let sealed = 0;
    for (const dir of dirs) {
      for (const file of readdirSync(dir)) {
        const db = openDatabase(join(dir, file), { readonly: true, fileMustExist: true });
        try {
          const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
          for (const { name } of tables) {
            for (const row of db.prepare(`SELECT * FROM "${String(name)}"`).all()) {
              rows += 1;
              const text = JSON.stringify(row);
              expect(text.includes(SECRET), `${file} ${String(name)}`).toBe(false);
              if (name === 'mcp_elicitations' && row.sealed) sealed += 1;
            }
          }
        } finally {
          db.close();
        }
      }
    }
    expect(rows).toBeGreaterThan(10);
    // A request answered and not used yet keeps only the sealed (AES-256-GCM) form.
    expect(sealed).toBeGreaterThan(0);
  });
});
