import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type Histogram } from '@opentelemetry/sdk-metrics';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { RecordingLogger, recordingRootLogger } from './support/recordingLogger';
import { testActionsPlugin } from './support/testActionsPlugin';

// Real services: Backstage's default AuditorService (which writes audit events through the
// root logger, recorded here) and its default MetricsService (OpenTelemetry API, read here
// with the OpenTelemetry SDK's MeterProvider and a pull reader). No mocks.

class PullReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

const reader = new PullReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const log = new RecordingLogger();
let backend: RunningBackend;

beforeAll(async () => {
  backend = await startBackend({
    features: [recordingRootLogger(log), mcpActionsPlugin, testActionsPlugin],
  });
  const client = new Client({ name: 'observed', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    }),
  );
  await client.listTools();
  await client.callTool({ name: 'testing.echo', arguments: { message: 'hi' } });
  await client.callTool({ name: 'testing.divide', arguments: { dividend: 1, divisor: 0 } });
  await client.callTool({ name: 'testing.explode' }).catch(() => {});
  await client.close();
  const legacy = new Client({ name: 'observed-sse', version: '1.0.0' });
  await legacy.connect(
    new SSEClientTransport(new URL(`${backend.mcpUrl}/sse`), {
      requestInit: { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    }),
  );
  await legacy.callTool({ name: 'testing.whoami' });
  sessionsWhileOpen = await gauge();
  await legacy.close();
  await new Promise(r => setTimeout(r, 300));
});
afterAll(async () => {
  await backend?.stop();
});

let sessionsWhileOpen = -1;

async function collect() {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap(s => s.metrics);
}

async function gauge() {
  const m = (await collect()).find(x => x.descriptor.name === 'mcp.server.sessions.active');
  return (m?.dataPoints[0]?.value as number | undefined) ?? -1;
}

function audit(eventId: string) {
  return log.entries.filter(e => e.message === `mcp-actions.${eventId}`);
}

describe('audit events (official ids and meta)', () => {
  it('tool-discovery succeeds with the tool count', () => {
    const done = audit('tool-discovery').filter(e => e.meta.status === 'succeeded');
    expect(done).toHaveLength(1);
    expect(done[0].meta.meta).toEqual({ toolCount: 6 });
  });

  it('tool-execution is medium severity, names the tool, and fails on isError and failures', () => {
    const events = audit('tool-execution');
    const by = (tool: string, status: string) =>
      events.filter(
        e => (e.meta.meta as { toolName: string }).toolName === tool && e.meta.status === status,
      );
    expect(by('testing.echo', 'succeeded')).toHaveLength(1);
    expect(by('testing.divide', 'failed')).toHaveLength(1);
    expect(by('testing.explode', 'failed')).toHaveLength(1);
    expect(by('testing.whoami', 'succeeded')).toHaveLength(1);
    expect(events.every(e => e.meta.severityLevel === 'medium')).toBe(true);
    // The actor is the caller, as Backstage's httpAuth names it.
    expect([...new Set(events.map(e => (e.meta.actor as { actorId: string }).actorId))]).toEqual([
      'mcp-tests',
    ]);
  });

  it('connection events are established and closed, per transport', () => {
    const kinds = audit('connection')
      .filter(e => e.meta.status === 'succeeded')
      .map(e => {
        const m = e.meta.meta as { transport: string; actionType: string };
        return `${m.transport}/${m.actionType}`;
      });
    expect(kinds).toContain('streamable/established');
    expect(kinds).toContain('streamable/closed');
    expect(kinds).toContain('sse/established');
    expect(kinds).toContain('sse/closed');
  });
});

describe('metrics (official names and attributes)', () => {
  it('records mcp.server.operation.duration per operation with its attributes', async () => {
    const m = (await collect()).find(x => x.descriptor.name === 'mcp.server.operation.duration')!;
    expect(m.descriptor.unit).toBe('s');
    const attrs = m.dataPoints.map(p => p.attributes);
    expect(attrs).toContainEqual({ 'mcp.method.name': 'tools/list' });
    expect(attrs).toContainEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'testing.echo',
      'gen_ai.operation.name': 'execute_tool',
    });
    expect(attrs).toContainEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'testing.divide',
      'gen_ai.operation.name': 'execute_tool',
      'error.type': 'tool_error',
    });
    expect(attrs).toContainEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'testing.explode',
      'gen_ai.operation.name': 'execute_tool',
      'error.type': '-32603',
    });
    const histogram = m.dataPoints[0].value as Histogram;
    expect(histogram.buckets.boundaries).toEqual([
      0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
    ]);
  });

  it('records mcp.server.session.duration and an active-sessions gauge', async () => {
    const all = await collect();
    const session = all.find(x => x.descriptor.name === 'mcp.server.session.duration')!;
    expect(session.dataPoints[0].attributes).toEqual({
      'mcp.protocol.version': '2025-11-25',
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
    });
    expect((session.dataPoints[0].value as Histogram).count).toBeGreaterThanOrEqual(5);
    expect(sessionsWhileOpen).toBe(1);
    expect(await gauge()).toBe(0);
  });
});
