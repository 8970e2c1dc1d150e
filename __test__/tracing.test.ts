import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { testActionsPlugin } from './support/testActionsPlugin';

// Backstage's real TracingService (OpenTelemetry API), with the OpenTelemetry SDK's
// in-memory exporter registered as the global tracer provider. No mocks.
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(
  new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  }),
);

let capturing: RunningBackend;
let plain: RunningBackend;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

beforeAll(async () => {
  capturing = await startBackend({
    features: [mcpActionsPlugin, testActionsPlugin],
    config: { mcpActions: { tracing: { capture: { toolPayload: true } } } },
  });
  plain = await startBackend({ features: [mcpActionsPlugin, testActionsPlugin] });
});
afterAll(async () => {
  await capturing?.stop();
  await plain?.stop();
});

async function call(url: string, name: string, args: object, extra: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${STATIC_TOKEN}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...extra,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
    }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

function span(name: string) {
  const found = exporter.getFinishedSpans().filter(s => s.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('a server span per tools/call', () => {
  it('is named after the tool, joins the caller’s trace and carries the MCP attributes', async () => {
    await call(capturing.mcpUrl, 'testing.echo', { message: 'traced' }, {
      traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
      baggage: `gen_ai.agent.id=claude-code,gen_ai.conversation.id=${'c'.repeat(300)},unrelated=x`,
    });
    const s = span('tools/call testing.echo');
    expect(s.kind).toBe(SpanKind.SERVER);
    expect(s.spanContext().traceId).toBe(TRACE_ID);
    expect(s.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'testing.echo',
      'gen_ai.operation.name': 'execute_tool',
      'backstage.plugin.id': 'testing',
      'gen_ai.agent.id': 'claude-code',
      'gen_ai.conversation.id': 'c'.repeat(256),
      'gen_ai.tool.call.arguments': '{"message":"traced"}',
      'gen_ai.tool.call.result': '{"echoed":"traced","length":6}',
    });
    expect(s.attributes).not.toHaveProperty('unrelated');
  });

  it('marks a tool error, and leaves payloads out unless capture is on', async () => {
    await call(plain.mcpUrl, 'testing.divide', { dividend: 1, divisor: 0 });
    const s = span('tools/call testing.divide');
    expect(s.attributes['error.type']).toBe('InputError');
    expect(s.status.code).toBe(2);
    expect(s.attributes).not.toHaveProperty('gen_ai.tool.call.arguments');
    expect(s.attributes).not.toHaveProperty('gen_ai.tool.call.result');
  });
});

describe('trace context in _meta (2026-07-28)', () => {
  const META_TRACE = '0af7651916cd43dd8448eb211c80319c';
  async function modernCall(url: string, name: string, meta: object, extra: Record<string, string> = {}) {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${STATIC_TOKEN}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'MCP-Protocol-Version': '2026-07-28',
        'Mcp-Method': 'tools/call',
        'Mcp-Name': name,
        ...extra,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name,
          arguments: {},
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
            ...meta,
          },
        },
      }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { result: { resultType: string } };
    expect(answer.result.resultType).toBe('complete');
  }

  it('parents the call span when the HTTP request carries no traceparent', async () => {
    await modernCall(capturing.mcpUrl, 'testing.whoami', {
      traceparent: `00-${META_TRACE}-b7ad6b7169203331-01`,
      baggage: 'gen_ai.agent.id=modern-agent',
    });
    const s = span('tools/call testing.whoami');
    expect(s.spanContext().traceId).toBe(META_TRACE);
    expect(s.attributes['gen_ai.agent.id']).toBe('modern-agent');
  });

  it('gives way to the HTTP traceparent header', async () => {
    await modernCall(
      plain.mcpUrl,
      'testing.whoami',
      { traceparent: `00-${META_TRACE}-b7ad6b7169203331-01` },
      { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    );
    const spans = exporter.getFinishedSpans().filter(s => s.name === 'tools/call testing.whoami');
    expect(spans.at(-1)!.spanContext().traceId).toBe(TRACE_ID);
  });
});
