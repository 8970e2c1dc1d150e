import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import {
  guestAuthConfig,
  guestUserToken,
  STATIC_TOKEN,
  startBackend,
  type RunningBackend,
} from './support/backend';
import { tasksActionsPlugin } from './support/tasksActionsPlugin';
import { callTool, rpc } from './support/tasksHttp';
import { testActionsPlugin } from './support/testActionsPlugin';

// The frontend page's JSON API (/api/mcp-actions/ui/v1/...) on a real backend: Backstage's
// default auth policy guards it, it answers as the signed-in user only, and it shows exactly
// what that user gets through MCP (tools) and owns (tasks).

let backend: RunningBackend;
let guest: string;
let api: string;

beforeAll(async () => {
  backend = await startBackend({
    features: [
      mcpActionsPlugin,
      testActionsPlugin,
      tasksActionsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      backend: { actions: { pluginSources: ['testing', 'jobs'] } },
      mcpActions: {
        name: 'page-test',
        description: 'The page API test server',
        tasks: { always: ['jobs:provision'], pollIntervalSeconds: 0.5 },
        servers: {
          echoes: { name: 'echoes', description: 'Only echo', filter: { include: [{ id: 'testing:echo' }] } },
        },
      },
    },
  });
  guest = await guestUserToken(backend.baseUrl);
  api = `${backend.baseUrl}/api/mcp-actions/ui/v1`;
});
afterAll(async () => {
  await backend?.stop();
});

async function get(path: string, token?: string, init: RequestInit = {}) {
  const res = await fetch(`${api}${path}`, {
    ...init,
    headers: { ...(token && { Authorization: `Bearer ${token}` }), ...init.headers },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

async function mcpToolNames(server = ''): Promise<string[]> {
  const answer = await rpc(`${backend.mcpUrl}${server}`, 'tools/list', {}, { token: guest, declare: false });
  return (answer.result.tools as { name: string }[]).map(t => t.name);
}

describe('who may read the page API', () => {
  it('nobody signed in: 401 from Backstage', async () => {
    const { status, body } = await get('/servers');
    expect(status).toBe(401);
    expect(body.error.name).toBe('AuthenticationError');
  });

  it('a service token: 403, the page is for users', async () => {
    const { status, body } = await get('/servers', STATIC_TOKEN);
    expect(status).toBe(403);
    expect(body.error.name).toBe('NotAllowedError');
    expect(body.error.message).toBe("This endpoint does not allow 'service' credentials");
  });
});

describe('servers and tools, as the guest', () => {
  it('lists every server with its URL and the number of tools the guest sees through MCP', async () => {
    const { status, headers, body } = await get('/servers', guest);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body.baseUrl).toBe(`${backend.baseUrl}/api/mcp-actions`);
    expect(body.auth).toEqual({ oauth: false, staticTokens: true });
    expect(body.tasks).toEqual({ enabled: true });
    expect(body.protocolVersions[0]).toBe('2026-07-28');
    expect(body.servers).toEqual([
      {
        key: null,
        name: 'page-test',
        description: 'The page API test server',
        url: backend.mcpUrl,
        toolDiscovery: 'all',
        transports: ['streamable-http', 'sse'],
        toolCount: (await mcpToolNames()).length,
        error: null,
      },
      {
        key: 'echoes',
        name: 'echoes',
        description: 'Only echo',
        url: `${backend.mcpUrl}/echoes`,
        toolDiscovery: 'all',
        transports: ['streamable-http', 'sse'],
        toolCount: 1,
        error: null,
      },
    ]);
  });

  it("gives each server's tools exactly as tools/list gives them to the guest", async () => {
    const all = await get('/tools', guest);
    expect(all.status).toBe(200);
    expect(all.body.tools.map((t: { name: string }) => t.name)).toEqual(await mcpToolNames());
    const echo = all.body.tools.find((t: { name: string }) => t.name === 'testing.echo');
    expect(echo.inputSchema.properties.message).toEqual({ type: 'string', description: 'What to echo' });
    expect(echo.annotations.readOnlyHint).toBe(true);

    const named = await get('/tools?server=echoes', guest);
    expect(named.body.server).toEqual({ key: 'echoes', name: 'echoes', url: `${backend.mcpUrl}/echoes` });
    expect(named.body.tools.map((t: { name: string }) => t.name)).toEqual(await mcpToolNames('/echoes'));
  });

  it('an unknown server: 404 that names it', async () => {
    const { status, body } = await get('/tools?server=nope', guest);
    expect(status).toBe(404);
    expect(body.error).toEqual({
      name: 'NotFoundError',
      message: 'No MCP server "nope": the servers are configured under mcpActions.servers',
    });
    expect(body.response).toEqual({ statusCode: 404 });
  });
});

describe("the guest's tasks", () => {
  it('lists only their own tasks, and cancels a running one once', async () => {
    const mine = await callTool(backend.mcpUrl, 'jobs.provision', { ms: 6_000 }, { token: guest });
    expect(mine.result.resultType).toBe('task');
    const theirs = await callTool(backend.mcpUrl, 'jobs.provision', { ms: 6_000 }, { token: STATIC_TOKEN });
    expect(theirs.result.resultType).toBe('task');

    const listed = await get('/tasks', guest);
    expect(listed.status).toBe(200);
    expect(listed.body.enabled).toBe(true);
    expect(listed.body.tasks).toHaveLength(1);
    expect(listed.body.tasks[0]).toMatchObject({
      taskId: mine.result.taskId,
      tool: 'jobs.provision',
      status: 'working',
      statusMessage: 'The action is running.',
    });
    expect(Object.keys(listed.body.tasks[0]).sort()).toEqual(
      ['createdAt', 'lastUpdatedAt', 'status', 'statusMessage', 'taskId', 'tool', 'ttlMs'],
    );

    // Someone else's task looks like no task at all, and stays running.
    const refused = await get(`/tasks/${theirs.result.taskId}/cancel`, guest, { method: 'POST' });
    expect(refused.status).toBe(404);
    expect(refused.body.error.name).toBe('NotFoundError');
    const still = await rpc(backend.mcpUrl, 'tasks/get', { taskId: theirs.result.taskId }, { token: STATIC_TOKEN });
    expect(still.result.status).toBe('working');

    const cancelled = await get(`/tasks/${mine.result.taskId}/cancel`, guest, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.task).toMatchObject({ taskId: mine.result.taskId, status: 'cancelled' });
    const seen = await rpc(backend.mcpUrl, 'tasks/get', { taskId: mine.result.taskId }, { token: guest });
    expect(seen.result.status).toBe('cancelled');

    const again = await get(`/tasks/${mine.result.taskId}/cancel`, guest, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ name: 'ConflictError', message: 'The task already ended: it is cancelled' });

    await rpc(backend.mcpUrl, 'tasks/cancel', { taskId: theirs.result.taskId }, { token: STATIC_TOKEN });
  });

  it('an unknown task: 404', async () => {
    const { status, body } = await get(`/tasks/${'0'.repeat(32)}/cancel`, guest, { method: 'POST' });
    expect(status).toBe(404);
    expect(body.error.message).toBe(`No task "${'0'.repeat(32)}" of yours: it is unknown, expired, or not yours`);
  });
});
