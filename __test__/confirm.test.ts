import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { guestAuthConfig, guestUserToken, STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { RecordingLogger, recordingRootLogger } from './support/recordingLogger';

// Confirmations (mcpActions.confirm) on a real backend: a real plugin's destructive action
// that counts its runs; the 1.x SDK in a 2025 session that declared elicitation (asked down
// the stream), the 2.x SDK on 2026-07-28 (input_required, then the retry), a client that
// cannot ask (the page's API confirms, the retry runs), and a static token. Audit events
// through Backstage's own AuditorService, recorded from the root logger.

const runs: string[] = [];

const opsPlugin = createBackendPlugin({
  pluginId: 'ops',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'restart',
          title: 'Restart deployment',
          description: 'Restarts a service in an environment.',
          attributes: { destructive: true },
          schema: {
            input: z => z.object({ service: z.string(), environment: z.string() }),
            output: z => z.object({ restarted: z.string() }),
          },
          action: async ({ input }) => {
            runs.push(`${input.service}@${input.environment}`);
            return { output: { restarted: input.service } };
          },
        });
        registry.register({
          name: 'status',
          title: 'Status',
          description: 'Reads the status of a service.',
          attributes: { readOnly: true },
          schema: { input: z => z.object({ service: z.string() }), output: z => z.object({ ok: z.boolean() }) },
          action: async () => ({ output: { ok: true } }),
        });
      },
    });
  },
});

const log = new RecordingLogger();
let backend: RunningBackend;
let guest: string;
const clients: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  backend = await startBackend({
    features: [
      recordingRootLogger(log),
      mcpActionsPlugin,
      opsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      backend: { actions: { pluginSources: ['ops'] } },
      mcpActions: {
        sessions: { stateful: true },
        confirm: [{ name: 'restarts', tool: 'ops.restart' }],
      },
    },
  });
  guest = await guestUserToken(backend.baseUrl);
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map(c => c.close()));
  await backend?.stop();
});

const args = { service: 'payments', environment: 'production' };
const QUESTION = 'Restart deployment (ops.restart) with environment "production", service "payments", as user:development/guest?';

async function legacy(token: string, capabilities: object) {
  const client = new Client({ name: 'confirm-1x', version: '1.0.0' }, { capabilities });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  clients.push(client);
  return client;
}

type Reply = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, boolean> };

async function modern(token: string, answer: (message: string) => Reply) {
  const client = new ModernClient(
    { name: 'confirm-2x', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async request => answer(String(request.params.message)));
  await client.connect(new ModernTransport(new URL(backend.mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const textOf = (result: any) => (result.content as Array<{ text: string }>)[0].text as string;

async function pageApi(method: 'GET' | 'POST', path: string, token = guest) {
  const res = await fetch(`${backend.baseUrl}/api/mcp-actions/ui/v1/confirmations${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

describe('a 2025 session whose client declared elicitation (SDK 1.x)', () => {
  it('is asked down the stream: accept runs the action once, decline does not run it', async () => {
    const client = await legacy(guest, { elicitation: {} });
    const asked: string[] = [];
    let reply: object = { action: 'accept', content: { confirm: true } };
    client.setRequestHandler(ElicitRequestSchema, async request => {
      asked.push(String(request.params.message));
      return reply as never;
    });
    const before = runs.length;
    const ran = await client.callTool({ name: 'ops.restart', arguments: args });
    expect(ran.structuredContent).toEqual({ restarted: 'payments' });
    expect(asked).toEqual([`Confirm this call: ${QUESTION}`]);
    expect(runs.length).toBe(before + 1);

    reply = { action: 'decline' };
    const declined = await client.callTool({ name: 'ops.restart', arguments: args });
    expect(declined.isError).toBe(true);
    expect(textOf(declined)).toBe(`ConfirmationDeclined: The call was declined and did not run: ${QUESTION}`);
    expect(runs.length).toBe(before + 1);
    // A call no rule matches is not asked.
    expect((await client.callTool({ name: 'ops.status', arguments: { service: 'payments' } })).structuredContent).toEqual({ ok: true });
    expect(asked).toHaveLength(2);
  });
});

describe('a legacy SSE session (2024-11-05 transport) whose client declared elicitation', () => {
  it('is asked down the session stream, and its answer (a POST to the messages endpoint) decides', async () => {
    const client = new Client({ name: 'confirm-sse', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async request => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { confirm: true } };
    });
    await client.connect(
      new SSEClientTransport(new URL(`${backend.mcpUrl}/sse`), { requestInit: { headers: { Authorization: `Bearer ${guest}` } } }),
    );
    clients.push(client);
    const before = runs.length;
    const ran = await client.callTool({ name: 'ops.restart', arguments: args });
    expect(ran.structuredContent).toEqual({ restarted: 'payments' });
    expect(asked).toEqual([`Confirm this call: ${QUESTION}`]);
    expect(runs.length).toBe(before + 1);
  });
});

describe('2026-07-28 (SDK 2.x): input_required, then the retry', () => {
  it('accept runs the action once; decline does not run it', async () => {
    let yes = true;
    const asked: string[] = [];
    const client = await modern(guest, message => {
      asked.push(message);
      return yes ? { action: 'accept', content: { confirm: true } } : { action: 'decline' as const };
    });
    const before = runs.length;
    const ran = await client.callTool({ name: 'ops.restart', arguments: args });
    expect(ran.structuredContent).toEqual({ restarted: 'payments' });
    expect(asked).toEqual([`Confirm this call: ${QUESTION}`]);
    expect(runs.length).toBe(before + 1);
    yes = false;
    const declined = await client.callTool({ name: 'ops.restart', arguments: args });
    expect(textOf(declined)).toBe(`ConfirmationDeclined: The call was declined and did not run: ${QUESTION}`);
    expect(runs.length).toBe(before + 1);
  });
});

describe('a client that cannot ask', () => {
  it('gets the page to confirm on; after Confirm there the same call runs, once', async () => {
    const client = await legacy(guest, {});
    const before = runs.length;
    const first = await client.callTool({ name: 'ops.restart', arguments: args });
    expect(textOf(first)).toBe(
      `ConfirmationRequired: This call needs your confirmation before it runs: ${QUESTION} Your client cannot ask you (it declares no MCP elicitation). Open ${backend.baseUrl}/mcp-actions and confirm it under Pending confirmations. Then call this tool again with the same arguments; the confirmation is for this call only and lasts 10 minutes.`,
    );
    const listed = await pageApi('GET', '');
    expect(listed.status).toBe(200);
    expect(listed.body.enabled).toBe(true);
    const mine = listed.body.confirmations.find((c: { question: string }) => c.question === QUESTION);
    expect(mine).toMatchObject({ tool: 'ops.restart', rule: 'restarts', status: 'pending', arguments: JSON.stringify({ environment: 'production', service: 'payments' }) });
    // A service token cannot use the page's API; an unknown id is a 404.
    expect((await pageApi('POST', `/${mine.id}/confirm`, STATIC_TOKEN)).status).toBe(403);
    expect(await pageApi('POST', `/${'0'.repeat(32)}/confirm`)).toMatchObject({ status: 404, body: { error: { name: 'NotFoundError' } } });
    // Other arguments are another question, not this one.
    const other = await client.callTool({ name: 'ops.restart', arguments: { ...args, environment: 'staging' } });
    expect(textOf(other)).toMatch(/^ConfirmationRequired/);
    expect(runs.length).toBe(before);

    const confirmed = await pageApi('POST', `/${mine.id}/confirm`);
    expect(confirmed).toMatchObject({ status: 200, body: { confirmation: { id: mine.id, status: 'confirmed' } } });
    expect(await pageApi('POST', `/${mine.id}/decline`)).toMatchObject({
      status: 409,
      body: { error: { name: 'ConflictError', message: 'This confirmation cannot be answered: it is already confirmed' } },
    });
    const ran = await client.callTool({ name: 'ops.restart', arguments: args });
    expect(ran.structuredContent).toEqual({ restarted: 'payments' });
    expect(runs.length).toBe(before + 1);
    // Used once.
    expect(textOf(await client.callTool({ name: 'ops.restart', arguments: args }))).toMatch(/^ConfirmationRequired/);
    expect(runs.length).toBe(before + 1);

    // Decline on the page: the retry hears it, once, and does not run.
    const staging = (await pageApi('GET', '')).body.confirmations.find((c: { question: string }) => c.question.includes('"staging"'));
    expect(await pageApi('POST', `/${staging.id}/decline`)).toMatchObject({ status: 200, body: { confirmation: { status: 'declined' } } });
    const heard = await client.callTool({ name: 'ops.restart', arguments: { ...args, environment: 'staging' } });
    expect(textOf(heard)).toBe(
      `ConfirmationDeclined: The call was declined and did not run: ${QUESTION.replace('"production"', '"staging"')}`,
    );
    expect(runs.length).toBe(before + 1);
  });
});

describe('a static token (a service principal)', () => {
  it('is asked through a client that can ask, and told what it needs through one that cannot', async () => {
    const before = runs.length;
    const asking = await modern(STATIC_TOKEN, () => ({ action: 'accept' as const, content: { confirm: true } }));
    expect((await asking.callTool({ name: 'ops.restart', arguments: args })).structuredContent).toEqual({ restarted: 'payments' });
    expect(runs.length).toBe(before + 1);
    const silent = await legacy(STATIC_TOKEN, {});
    const told = textOf(await silent.callTool({ name: 'ops.restart', arguments: args }));
    expect(told).toMatch(
      /^ConfirmationRequired: This call needs a person's confirmation before it runs \(Restart deployment \(ops\.restart\) with environment "production", service "payments", as service:[^)]+\?\), and it runs as service:\S+, a service principal \(a static token\) with no Backstage page to confirm on\. Use a client that can ask its user \(MCP elicitation\), or connect as a Backstage user\.$/,
    );
    expect(runs.length).toBe(before + 1);
  });
});

describe('the record of it', () => {
  it('audits each confirmation with its rule and decision, and counts refused calls as unconfirmed', async () => {
    await new Promise(r => setTimeout(r, 300));
    const events = log.entries.filter(e => e.message === 'mcp-actions.tool-confirmation');
    const decisions = events.map(e => `${e.meta.status}:${(e.meta.meta as Record<string, unknown>)?.decision}`);
    expect(decisions).toEqual(expect.arrayContaining(['succeeded:confirmed', 'failed:declined', 'succeeded:required']));
    expect(events.every(e => (e.meta.meta as Record<string, unknown>).rule === 'restarts')).toBe(true);
    expect(events.every(e => (e.meta.meta as Record<string, unknown>).toolName === 'ops.restart')).toBe(true);

    const deadline = Date.now() + 15_000;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let usage: any;
    do {
      await new Promise(r => setTimeout(r, 500));
      const res = await fetch(`${backend.baseUrl}/api/mcp-actions/ui/v1/usage?scope=mine&tool=ops.restart`, {
        headers: { Authorization: `Bearer ${guest}` },
      });
      usage = await res.json();
    } while (usage.totals.calls < 12 && Date.now() < deadline);
    // The guest's restarts: 4 ran; 8 did not run (3 declined, 2 asked on 2026-07-28 before
    // the retry, 3 sent to the page).
    expect(usage.totals.calls).toBe(12);
    expect(usage.totals.byOutcome).toMatchObject({ success: 4, unconfirmed: 8 });
  });
});
