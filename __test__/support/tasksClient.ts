import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient } from '@modelcontextprotocol/ext-tasks/client';

// The client side of the MCP Tasks extension as an application uses it: the 2.x SDK
// `Client` (pinned to 2026-07-28) with `@modelcontextprotocol/ext-tasks`, which sends
// `tools/call` and `tasks/*` itself through `rawDispatch`, because the SDK refuses those
// wire shapes on 2026-07-28. `rawDispatch` is a plain POST with the standard headers.

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Request = { method: string; params?: Record<string, Json>; id?: number | string };

export async function connectWithTasks(mcpUrl: string, token: string) {
  const client = new Client(
    { name: 'tasks-e2e', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  let next = 1000;
  const sent: string[] = [];
  const rawDispatch = async (raw: unknown, options?: { signal?: AbortSignal }) => {
    const request = raw as Request;
    const params = request.params ?? {};
    const name = request.method === 'tools/call' ? params.name : params.taskId;
    sent.push(request.method);
    const res = await fetch(mcpUrl, {
      method: 'POST',
      signal: options?.signal,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2026-07-28',
        'Mcp-Method': request.method,
        ...(typeof name === 'string' && { 'Mcp-Name': name }),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: request.id ?? next++, ...request }),
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.startsWith('text/event-stream')
      ? text.split('\n').filter(l => l.startsWith('data: ')).pop()!.slice(6)
      : text;
    const body = JSON.parse(json);
    return body.error
      ? ({ kind: 'error', error: body.error } as const)
      : ({ kind: 'result', result: body.result } as const);
  };
  const session = createTaskSessionFromClient(client, {
    endpointId: mcpUrl,
    rawDispatch: rawDispatch as never,
    v2RequestFraming: {
      protocolVersion: '2026-07-28',
      clientInfo: { name: 'tasks-e2e', version: '1.0.0' },
      clientCapabilities: {},
    },
  });
  return { client, session, sent };
}
