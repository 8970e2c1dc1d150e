import { STATIC_TOKEN } from './backend';

// MCP Tasks over plain `fetch`: what the 2.x SDK cannot express (it has no `tasks/*` of its
// own on 2026-07-28), byte for byte as the extension specifies it.

export const TASKS = 'io.modelcontextprotocol/tasks';

export interface Answer {
  status: number;
  id?: unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  result?: any;
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

/**
 * POST one 2026-07-28 request. `declare`: the client capabilities name the tasks extension;
 * `name`: the `Mcp-Name` header (default: the tool or task the params name).
 */
export async function rpc(
  mcpUrl: string,
  method: string,
  params: Record<string, unknown>,
  options: { declare?: boolean; token?: string; name?: string; id?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const declare = options.declare ?? true;
  const name = options.name ?? (params.taskId as string | undefined) ?? (params.name as string | undefined);
  const body = {
    jsonrpc: '2.0',
    id: options.id ?? 1,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': declare ? { extensions: { [TASKS]: {} } } : {},
        'io.modelcontextprotocol/clientInfo': { name: 'tasks-fetch', version: '1' },
      },
    },
  };
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${options.token ?? STATIC_TOKEN}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': method,
      ...(name !== undefined && { 'Mcp-Name': name }),
      ...options.headers,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  // An SSE answer: the last `data:` line is the response.
  const json = res.headers.get('content-type')?.startsWith('text/event-stream')
    ? text.split('\n').filter(l => l.startsWith('data: ')).pop()!.slice(6)
    : text;
  return { status: res.status, ...JSON.parse(json) };
}

/** `tools/call` of `tool` with `args`. */
export function callTool(mcpUrl: string, tool: string, args: object, options: Parameters<typeof rpc>[3] = {}) {
  return rpc(mcpUrl, 'tools/call', { name: tool, arguments: args }, options);
}

/** Poll `tasks/get` until the task leaves `working` (at its `pollIntervalMs`, capped). */
export async function settle(
  mcpUrl: string,
  taskId: string,
  options: { token?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const answer = await rpc(mcpUrl, 'tasks/get', { taskId }, { token: options.token });
    if (answer.result?.status !== 'working' || Date.now() > deadline) return answer;
    await new Promise(resolve => setTimeout(resolve, Math.min(answer.result.pollIntervalMs, 200)));
  }
}
