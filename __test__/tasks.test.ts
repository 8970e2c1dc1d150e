import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin, type McpActionsProbe } from '../plugin/plugin';
import {
  guestAuthConfig,
  guestUserToken,
  OTHER_TOKEN,
  STATIC_TOKEN,
  startBackend,
  type RunningBackend,
} from './support/backend';
import { jobs, tasksActionsPlugin } from './support/tasksActionsPlugin';
import { resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';
import { connectWithTasks } from './support/tasksClient';
import { callTool, rpc, settle, TASKS } from './support/tasksHttp';

// MCP Tasks end to end: a real backend, a real plugin with slow actions, the tasks table in
// a real SQLite database (a file, so that a restarted backend finds it), over real HTTP.

const LOST = 'the backend instance running this task stopped before it finished';
const credentials = new CredentialsTable();
let probe!: McpActionsProbe;
let backend: RunningBackend;
let userToken: string;
const dirs: string[] = [];

function sqliteDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-tasks-'));
  dirs.push(dir);
  return dir;
}

/** The plugin, the `jobs` plugin and the auth backend (guest users), on `directory`. */
function start(directory: string, tasks: object, options: { probe?: boolean } = {}) {
  return startBackend({
    features: [
      createMcpActionsPlugin({
        credentials: options.probe ? credentials : undefined,
        probe: options.probe ? p => (probe = p) : undefined,
      }),
      tasksActionsPlugin,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      backend: {
        actions: { pluginSources: ['jobs'] },
        database: { client: 'better-sqlite3', connection: { directory } },
      },
      mcpActions: { tasks: { pollIntervalSeconds: 0.5, ...tasks } },
    },
  });
}

beforeAll(async () => {
  backend = await start(sqliteDir(), { promoteAfterSeconds: 1, always: ['jobs:provision'] }, { probe: true });
  userToken = await guestUserToken(backend.baseUrl);
});
afterAll(async () => {
  await backend?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function untilIdle() {
  const deadline = Date.now() + 5000;
  while ((probe.callsInFlight() > 0 || probe.tasksRunning() > 0) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

describe('MCP tasks', () => {
  it('are advertised by server/discover', async () => {
    const answer = await rpc(backend.mcpUrl, 'server/discover', {}, { declare: false });
    expect(answer.result.capabilities.extensions).toEqual({
      [TASKS]: {},
      'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] },
    });
  });

  it('a call that outlasts promoteAfterSeconds becomes a task that polls to its result', async () => {
    const started = Date.now();
    // As a signed-in user: the action runs with the user's credentials after the answer.
    const created = await callTool(backend.mcpUrl, 'jobs.build', { ms: 2500 }, { token: userToken });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(2400);
    expect(created.status).toBe(200);
    expect(created.result).toMatchObject({
      resultType: 'task',
      status: 'working',
      statusMessage: 'The action is running.',
      ttlMs: 3_600_000,
      pollIntervalMs: 500,
    });
    expect(created.result.taskId).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(created.result.createdAt)).toBeGreaterThan(started - 1000);
    // The request is over; the task keeps its credentials until the action ends.
    expect(probe.tasksRunning()).toBe(1);

    // Only its creator reads it: the user's token, not the service's.
    const byService = await rpc(backend.mcpUrl, 'tasks/get', { taskId: created.result.taskId });
    expect(byService.error!.code).toBe(-32602);
    const done = await settle(backend.mcpUrl, created.result.taskId, { token: userToken });
    expect(done.result).toMatchObject({
      resultType: 'complete',
      taskId: created.result.taskId,
      status: 'completed',
      statusMessage: 'The action finished.',
      result: { structuredContent: { waited: 2500, by: 'user:development/guest' } },
    });
    expect(JSON.parse(done.result.result.content[0].text)).toEqual({
      waited: 2500,
      by: 'user:development/guest',
    });
    await untilIdle();
    expect(probe.tasksRunning()).toBe(0);
    expect(credentials.size).toBe(probe.cachedCredentials());
  });

  it('actions matching mcpActions.tasks.always are tasks at once, even quick ones', async () => {
    // A 300 ms action answers as a working task, not as its result: the task came first
    // (no wall-clock assertion, which a busy machine can break).
    const created = await callTool(backend.mcpUrl, 'jobs.provision', { ms: 300 });
    expect(created.result.resultType).toBe('task');
    expect(created.result.status).toBe('working');
    expect(created.result.structuredContent).toBeUndefined();
    const done = await settle(backend.mcpUrl, created.result.taskId);
    expect(done.result.status).toBe('completed');
    expect(done.result.result.structuredContent.waited).toBe(300);
  });

  it('a Backstage error completes the task with an isError result', async () => {
    const created = await callTool(backend.mcpUrl, 'jobs.reject', { ms: 1500 });
    const done = await settle(backend.mcpUrl, created.result.taskId);
    expect(done.result.status).toBe('completed');
    expect(done.result.result).toEqual({
      content: [{ type: 'text', text: 'InputError: the template needs a name' }],
      isError: true,
      resultType: 'complete',
    });
  });

  it('a crash fails the task with the JSON-RPC error', async () => {
    const created = await callTool(backend.mcpUrl, 'jobs.crash', { ms: 1500 });
    const done = await settle(backend.mcpUrl, created.result.taskId);
    expect(done.result.status).toBe('failed');
    expect(done.result.error).toEqual({
      code: -32603,
      message: 'Internal error: tool "jobs.crash" failed unexpectedly; the server log has the details',
    });
    expect(done.result.result).toBeUndefined();
  });

  it('tasks/cancel ends it: the task reads cancelled and the call is no longer waited for', async () => {
    const created = await callTool(backend.mcpUrl, 'jobs.build', { ms: 20_000 });
    const taskId = created.result.taskId;
    expect(probe.callsInFlight()).toBe(1);
    const ack = await rpc(backend.mcpUrl, 'tasks/cancel', { taskId });
    expect(ack.status).toBe(200);
    expect(ack.result.resultType).toBe('complete');
    expect(Object.keys(ack.result).sort()).toEqual(['_meta', 'resultType']);
    const seen = await rpc(backend.mcpUrl, 'tasks/get', { taskId });
    expect(seen.result).toMatchObject({ status: 'cancelled', statusMessage: 'The task was cancelled.' });
    await untilIdle();
    expect(probe.callsInFlight()).toBe(0);
    expect(credentials.size).toBe(probe.cachedCredentials());
  });

  it('only its creator may read or cancel it: anyone else gets the unknown-id answer', async () => {
    const created = await callTool(backend.mcpUrl, 'jobs.provision', { ms: 10 });
    const taskId = created.result.taskId;
    await settle(backend.mcpUrl, taskId);
    const unknown = 'f'.repeat(32);
    for (const method of ['tasks/get', 'tasks/cancel']) {
      const theirs = await rpc(backend.mcpUrl, method, { taskId }, { token: OTHER_TOKEN, id: 42 });
      const none = await rpc(backend.mcpUrl, method, { taskId: unknown }, { token: OTHER_TOKEN, id: 42 });
      expect(theirs.status).toBe(200);
      expect(theirs.id).toBe(42);
      expect(theirs.error!.code).toBe(-32602);
      expect(theirs.error!.message).toBe(
        `Failed to retrieve task: no task "${taskId}" for this caller (unknown, expired, or created by another principal)`,
      );
      expect(theirs.error!.message.replace(taskId, 'X')).toBe(none.error!.message.replace(unknown, 'X'));
    }
    // Their cancel changed nothing.
    expect((await rpc(backend.mcpUrl, 'tasks/get', { taskId })).result.status).toBe('completed');
  });

  it('refuses what the extension forbids, with the exact code', async () => {
    const created = await callTool(backend.mcpUrl, 'jobs.provision', { ms: 10 });
    const taskId = created.result.taskId;
    const misrouted = await rpc(backend.mcpUrl, 'tasks/get', { taskId }, { name: 'another-task', id: 5 });
    expect([misrouted.status, misrouted.id, misrouted.error!.code]).toEqual([400, 5, -32020]);
    const undeclared = await rpc(backend.mcpUrl, 'tasks/get', { taskId }, { declare: false });
    expect(undeclared.error!.code).toBe(-32021);
    expect(undeclared.error!.data).toEqual({ requiredCapabilities: { extensions: { [TASKS]: {} } } });
    const update = await rpc(backend.mcpUrl, 'tasks/update', { taskId, inputResponses: {} });
    expect(update.error!.code).toBe(-32602);
    expect(update.error!.message).toContain('Backstage actions take no input while they run');
  });

  it('a client that does not declare the extension gets a plain result from the 2.x SDK', async () => {
    const client = new Client(
      { name: 'no-tasks', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
        requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
      }),
    );
    try {
      const result = await client.callTool({ name: 'jobs.build', arguments: { ms: 1500 } });
      // A service caller: the registry runs the action as this plugin (as for any call).
      expect(result.structuredContent).toEqual({ waited: 1500, by: 'service:plugin:mcp-actions' });
      const provisioned = await client.callTool({ name: 'jobs.provision', arguments: { ms: 10 } });
      expect(provisioned.isError).toBeFalsy();
      expect(provisioned.structuredContent).toMatchObject({ waited: 10 });
    } finally {
      await client.close();
    }
  });
});

describe('MCP tasks across a restart (the same SQLite file), and expiry', () => {
  it('a finished task is still readable after a restart; one that was running reads failed', async () => {
    const dir = sqliteDir();
    const first = await start(dir, { always: ['jobs:*'], heartbeatSeconds: 0.5 });
    const done = await callTool(first.mcpUrl, 'jobs.build', { ms: 10 });
    const doneId = done.result.taskId;
    expect((await settle(first.mcpUrl, doneId)).result.status).toBe('completed');
    // Still running when its backend stops (the backend waits for the action's own HTTP
    // request to end before it exits, so keep it short).
    const started = jobs.started;
    const running = await callTool(first.mcpUrl, 'jobs.build', { ms: 3000 });
    const runningId = running.result.taskId;
    // Stop once the action runs (a task of `always` answers before its action starts).
    while (jobs.started === started) await new Promise(resolve => setTimeout(resolve, 10));
    await first.stop();

    const second = await start(dir, { always: ['jobs:*'], heartbeatSeconds: 0.5 });
    try {
      const again = await rpc(second.mcpUrl, 'tasks/get', { taskId: doneId });
      expect(again.result).toMatchObject({
        status: 'completed',
        result: { structuredContent: { waited: 10 } },
      });
      // The backend that ran it stopped before it finished: it reads failed, and says so.
      const lost = await rpc(second.mcpUrl, 'tasks/get', { taskId: runningId });
      expect(lost.result).toMatchObject({
        status: 'failed',
        statusMessage: LOST,
        error: { code: -32603, message: `Internal error: ${LOST}` },
      });
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('after ttlSeconds a task reads as unknown', async () => {
    const short = await start(sqliteDir(), { always: ['jobs:*'], ttlSeconds: 1 });
    try {
      const created = await callTool(short.mcpUrl, 'jobs.build', { ms: 10 });
      expect(created.result.ttlMs).toBe(1000);
      expect((await settle(short.mcpUrl, created.result.taskId)).result.status).toBe('completed');
      const since = Date.parse(created.result.createdAt);
      await new Promise(resolve => setTimeout(resolve, Math.max(0, since + 1100 - Date.now())));
      const expired = await rpc(short.mcpUrl, 'tasks/get', { taskId: created.result.taskId });
      expect(expired.error).toEqual({
        code: -32602,
        message: `Failed to retrieve task: no task "${created.result.taskId}" for this caller (unknown, expired, or created by another principal)`,
      });
    } finally {
      await short.stop();
    }
  });
});

describe('MCP tasks with the 2.x SDK and @modelcontextprotocol/ext-tasks', () => {
  it('a slow call becomes a task the client polls to its result', async () => {
    const { client, session, sent } = await connectWithTasks(backend.mcpUrl, userToken);
    try {
      const execution = await session.callTool('jobs.build', { ms: 2000 });
      expect(execution.kind).toBe('task');
      const seen: string[] = [];
      const { outcome } = await execution.settle({
        onEvent: event => {
          if (event.type === 'task') seen.push(event.task.status);
        },
      });
      expect(outcome.status).toBe('completed');
      const result = resultFromTaskOutcome(outcome) as { structuredContent?: unknown };
      expect(result.structuredContent).toEqual({ waited: 2000, by: 'user:development/guest' });
      expect(sent).toContain('tasks/get');
      expect(seen).toContain('working');
    } finally {
      await session.close();
      await client.close();
    }
  });

  it('a quick call is answered at once; a cancelled task settles cancelled', async () => {
    const { client, session } = await connectWithTasks(backend.mcpUrl, STATIC_TOKEN);
    try {
      const quick = await session.callTool('jobs.build', { ms: 10 });
      expect(quick.kind).toBe('immediate');
      const { outcome } = await quick.settle();
      expect(outcome.status).toBe('completed');
      const slow = await session.callTool('jobs.provision', { ms: 20_000 });
      expect(slow.kind).toBe('task');
      await slow.cancel();
      const settled = await slow.settle();
      expect(settled.outcome.status).toBe('cancelled');
      await untilIdle();
      expect(probe.callsInFlight()).toBe(0);
    } finally {
      await session.close();
      await client.close();
    }
  });
});
