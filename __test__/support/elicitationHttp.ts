import { randomBytes } from 'node:crypto';

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
