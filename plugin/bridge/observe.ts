import type { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import type { Request, Response } from 'express';
import type { ObservationRecord } from '../../index';

/** The official plugin's histogram buckets, in seconds. */
const BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

const CONNECTION_ATTRIBUTES = {
  'mcp.protocol.version': '2025-11-25',
  'network.transport': 'tcp',
  'network.protocol.name': 'http',
};

/**
 * Audit events and metrics with the official plugin's ids, meta, names and attributes. The
 * engine records what happened; this reports it after the answer has gone out, without
 * holding up the request.
 */
export function createObserver(options: {
  auditor: AuditorService;
  metrics: MetricsService;
  logger: LoggerService;
  sessionCount: () => number;
}) {
  const { auditor, metrics, logger } = options;
  const operationDuration = metrics.createHistogram('mcp.server.operation.duration', {
    description: 'MCP request duration as observed on the receiver',
    unit: 's',
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  const sessionDuration = metrics.createHistogram('mcp.server.session.duration', {
    description: 'The duration of the MCP session as observed on the MCP server',
    unit: 's',
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  metrics
    .createObservableGauge('mcp.server.sessions.active', {
      description: 'Open MCP sessions (legacy SSE and stateful Streamable HTTP)',
    })
    .addCallback(result => result.observe(options.sessionCount()));

  const quietly = (what: string) => (error: unknown) =>
    logger.warn(`Could not record the ${what} audit event: ${String(error)}`);

  async function operation(req: Request, o: ObservationRecord) {
    if (o.method === 'tools/list') {
      const event = await auditor.createEvent({ eventId: 'tool-discovery', request: req });
      if (o.errorType) await event.fail({ error: new Error(o.error ?? o.errorType) });
      else await event.success({ meta: { toolCount: o.toolCount ?? 0 } });
    } else {
      const event = await auditor.createEvent({
        eventId: 'tool-execution',
        severityLevel: 'medium',
        request: req,
        meta: { toolName: o.tool },
      });
      if (o.errorType) await event.fail({ error: new Error(o.error ?? o.errorType) });
      else await event.success();
      if (o.confirmation) {
        // mcpActions.confirm asked about this call: what it came to.
        const confirmation = await auditor.createEvent({
          eventId: 'tool-confirmation',
          severityLevel: 'medium',
          request: req,
          meta: { toolName: o.tool, rule: o.confirmationRule, decision: o.confirmation },
        });
        if (['declined', 'timed_out'].includes(o.confirmation)) {
          await confirmation.fail({ error: new Error(`The call was ${o.confirmation.replace('_', ' ')}: it did not run`) });
        } else await confirmation.success();
      }
    }
  }

  return {
    /** Report what a request did (audit events and the operation histogram). */
    report(req: Request, observations: ObservationRecord[] | undefined | null): void {
      for (const o of observations ?? []) {
        operationDuration.record(o.seconds, {
          'mcp.method.name': o.method,
          ...(o.method === 'tools/call' && {
            'gen_ai.tool.name': o.tool ?? '',
            'gen_ai.operation.name': 'execute_tool',
          }),
          ...(o.errorType && { 'error.type': o.errorType }),
        });
        operation(req, o).catch(quietly(o.method));
      }
    },

    /**
     * A connection: `established` now, `closed` with its duration when the response closes.
     * `transport`: `streamable` for a POST, `sse` for a legacy stream.
     */
    connection(req: Request, res: Response, transport: 'streamable' | 'sse'): void {
      const started = performance.now();
      auditor
        .createEvent({
          eventId: 'connection',
          request: req,
          meta: { transport, actionType: 'established' },
        })
        .then(e => e.success())
        .catch(quietly('connection'));
      res.once('close', () => {
        sessionDuration.record((performance.now() - started) / 1000, CONNECTION_ATTRIBUTES);
        auditor
          .createEvent({
            eventId: 'connection',
            request: req,
            meta: { transport, actionType: 'closed' },
          })
          .then(e => e.success())
          .catch(quietly('connection'));
      });
    },
  };
}

export type Observer = ReturnType<typeof createObserver>;
