import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * A 2026-07-28 `tools/call` on the wire from a client that declares URL elicitation
 * (`elicitation: { url: {} }` in `_meta`), with `extra` params (a retry's `requestState` and
 * `inputResponses`). Resolves to the status and the JSON-RPC answer.
 */
export async function urlElicitingCall(
  mcpUrl: string,
  token: string,
  tool: string,
  args: object,
  extra: object = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; text: string; result?: any; error?: any }> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': 'tools/call',
      'Mcp-Name': tool,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: randomBytes(4).toString('hex'),
      method: 'tools/call',
      params: {
        name: tool,
        arguments: args,
        ...extra,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } },
          'io.modelcontextprotocol/clientInfo': { name: 'wire', version: '1' },
        },
      },
    }),
  });
  const text = await res.text();
  return { status: res.status, text, ...JSON.parse(text) };
}

/**
 * The two `curl` commands a service principal's answer gives (read the request, then submit),
 * as they appear in its text.
 */
export function curlsOf(text: string): [read: string, submit: string] {
  const [read, submit] = [...text.matchAll(/`(curl [^`]+)`/g)].map(m => m[1]);
  return [read, submit];
}

/**
 * Runs one of those commands as a person would in a shell, with `token` in
 * `BACKSTAGE_MCP_TOKEN`; resolves to the JSON it printed. (Asynchronously: a test backend may
 * answer from this same process.)
 */
export async function runCurl(command: string, token: string) {
  const env = { ...process.env, BACKSTAGE_MCP_TOKEN: token };
  const { stdout } = await promisify(execFile)('bash', ['-c', command], { env, timeout: 10_000 });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return JSON.parse(stdout) as any;
}
