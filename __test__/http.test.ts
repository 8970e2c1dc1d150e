import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsTable } from '../plugin/bridge/credentials';
import { createMcpActionsPlugin, type McpActionsProbe } from '../plugin/plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { testActionsPlugin } from './support/testActionsPlugin';

const credentials = new CredentialsTable();
let probe!: McpActionsProbe;
let backend: RunningBackend;

beforeAll(async () => {
  backend = await startBackend({
    features: [createMcpActionsPlugin({ credentials, probe: p => (probe = p) }), testActionsPlugin],
  });
});
afterAll(async () => {
  await backend?.stop();
});

const JSON_AND_SSE = 'application/json, text/event-stream';

function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(backend.mcpUrl, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${STATIC_TOKEN}`,
      Accept: JSON_AND_SSE,
      'Content-Type': 'application/json',
      ...headers,
    },
    body,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const rpc = (res: Response): Promise<any> => res.json();

const ping = (id: number | string = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });

describe('HTTP rules of the Streamable HTTP endpoint', () => {
  it('401 with a bearer challenge and a JSON-RPC body when no token is sent', async () => {
    const res = await post(ping(), { Authorization: '' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const body = await rpc(res);
    // The refusal names the request it answers (issue 14; it used to be null).
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32001 } });
    expect(body.error.message).toContain('Authorization');
  });

  it('401 with error="invalid_token" for a wrong token', async () => {
    const res = await post(ping(), { Authorization: 'Bearer not-a-real-token' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer error="invalid_token"/,
    );
    expect((await rpc(res)).error.code).toBe(-32001);
  });

  it('answers a request as JSON when JSON is accepted', async () => {
    const res = await post(ping(7));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await rpc(res)).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
  });

  it('frames the answer as an SSE message event when only SSE is accepted', async () => {
    const res = await post(ping('a'), { Accept: 'text/event-stream' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await res.text()).toBe(
      'event: message\ndata: {"jsonrpc":"2.0","id":"a","result":{}}\n\n',
    );
  });

  it('406 when Accept allows neither JSON nor SSE', async () => {
    const res = await post(ping(), { Accept: 'text/html' });
    expect(res.status).toBe(406);
    expect((await rpc(res)).error.message).toMatch(/^Not Acceptable/);
  });

  it('415 for a body that is not declared as JSON', async () => {
    const res = await post(ping(), { 'Content-Type': 'text/plain' });
    expect(res.status).toBe(415);
    expect((await rpc(res)).error.message).toBe(
      'Unsupported Media Type: Content-Type must be application/json, got "text/plain"',
    );
  });

  it('400 with -32700 for malformed JSON', async () => {
    const res = await post('{"jsonrpc": "2.0", "id": 1,');
    expect(res.status).toBe(400);
    const body = await rpc(res);
    expect(body.id).toBeNull();
    expect(body.error.code).toBe(-32700);
    expect(body.error.message).toMatch(/^Parse error/);
  });

  it('400 with -32600 for JSON that is not a JSON-RPC request', async () => {
    const res = await post(JSON.stringify({ id: 3, method: 'ping' }));
    expect(res.status).toBe(400);
    expect(await rpc(res)).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: {
        code: -32600,
        message: 'Invalid Request: the "jsonrpc" member must be exactly "2.0"',
      },
    });
  });

  it('-32601 for an unknown method', async () => {
    const res = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'prompts/list' }),
    );
    expect(res.status).toBe(200);
    expect((await rpc(res)).error).toEqual({
      code: -32601,
      message: 'Method not found: prompts/list',
    });
  });

  it('-32602 for tools/call without a tool name or with non-object arguments', async () => {
    const noName = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: {} }),
    );
    expect((await rpc(noName)).error.code).toBe(-32602);
    const badArgs = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 6,
        method: 'tools/call',
        params: { name: 'testing.echo', arguments: 'hello' },
      }),
    );
    const body = await rpc(badArgs);
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).toContain('must be an object');
  });

  it('400 for an unsupported MCP-Protocol-Version header', async () => {
    const res = await post(ping(), { 'MCP-Protocol-Version': '2023-01-01' });
    expect(res.status).toBe(400);
    const body = await rpc(res);
    expect(body.error.message).toContain('2023-01-01');
    expect(body.error.data.supported).toContain('2025-11-25');
  });

  it('202 with no body for a notification', async () => {
    const res = await post(
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
  });

  it('answers a batch with an array, in order', async () => {
    const res = await post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'testing.echo', arguments: { message: 'b' } },
        },
      ]),
    );
    expect(res.status).toBe(200);
    const body = await rpc(res);
    expect(body.map((r: { id: number }) => r.id)).toEqual([1, 2]);
    expect(body[1].result.structuredContent).toEqual({ echoed: 'b', length: 1 });
  });

  it.each(['GET', 'DELETE'])(
    '405 with Allow: POST and a JSON-RPC body for %s',
    async method => {
      const res = await fetch(backend.mcpUrl, {
        method,
        headers: { Authorization: `Bearer ${STATIC_TOKEN}` },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      const body = await rpc(res);
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      expect(body.error.message).toContain(method);
    },
  );

  it('413 with a JSON-RPC body for a body over the size limit', async () => {
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'testing.echo', arguments: { message: 'x'.repeat(5_000_000) } },
    });
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect((await rpc(res)).error.message).toBe(
      'Payload Too Large: the request body is larger than 4194304 bytes (mcpActions.limits.maxRequestBodyBytes)',
    );
  });

  it('holds no credentials handle after all of the above', () => {
    // Only the credentials cache still holds handles: one per token it remembers.
    expect(probe.cachedCredentials()).toBeGreaterThan(0);
    expect(credentials.size).toBe(probe.cachedCredentials());
  });
});
