// A small demo plugin (`platform`) with realistic actions for an on-call engineer's agent:
// service health, incidents, restarts. State lives in memory for the life of the demo.
'use strict';

const { createBackendPlugin } = require('@backstage/backend-plugin-api');
const { actionsRegistryServiceRef } = require('@backstage/backend-plugin-api/alpha');
const { InputError, NotFoundError } = require('@backstage/errors');

const services = ['payments-service', 'web-frontend'];
const incidents = [
  {
    id: 'INC-1001',
    title: 'Elevated card decline rate',
    service: 'payments-service',
    severity: 'sev2',
    status: 'open',
    openedBy: 'user:default/jane',
  },
];

function knownService(name) {
  if (!services.includes(name)) {
    throw new NotFoundError(
      `No service named "${name}"; known services: ${services.join(', ')}`,
    );
  }
}

exports.platformActionsPlugin = createBackendPlugin({
  pluginId: 'platform',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'get-service-health',
          title: 'Get service health',
          description: 'Current health of a service: status, p99 latency and error rate.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ service: z.string().describe('Service name, e.g. payments-service') }),
            output: z =>
              z.object({
                service: z.string(),
                status: z.enum(['healthy', 'degraded']),
                p99LatencyMs: z.number(),
                errorRate: z.number(),
              }),
          },
          action: async ({ input }) => {
            knownService(input.service);
            const degraded = incidents.some(i => i.service === input.service && i.status !== 'resolved');
            return {
              output: {
                service: input.service,
                status: degraded ? 'degraded' : 'healthy',
                p99LatencyMs: degraded ? 840 : 120,
                errorRate: degraded ? 0.031 : 0.001,
              },
            };
          },
        });
        registry.register({
          name: 'list-incidents',
          title: 'List incidents',
          description: 'Incidents, optionally only those with a given status.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ status: z.enum(['open', 'acknowledged', 'resolved']).optional() }),
            output: z => z.object({ incidents: z.array(z.object({}).passthrough()) }),
          },
          action: async ({ input }) => ({
            output: { incidents: incidents.filter(i => !input.status || i.status === input.status) },
          }),
        });
        registry.register({
          name: 'open-incident',
          title: 'Open incident',
          description: 'Opens an incident against a service. Records who opened it.',
          attributes: { destructive: false },
          schema: {
            input: z =>
              z.object({
                service: z.string(),
                title: z.string().min(5).describe('A short summary of what is wrong'),
                severity: z.enum(['sev1', 'sev2', 'sev3']),
              }),
            output: z => z.object({ id: z.string(), status: z.string() }),
          },
          action: async ({ input, credentials }) => {
            knownService(input.service);
            const p = credentials.principal;
            const incident = {
              id: `INC-${1001 + incidents.length}`,
              ...input,
              status: 'open',
              openedBy: p.type === 'user' ? p.userEntityRef : `${p.type}:${p.subject}`,
            };
            incidents.push(incident);
            return { output: { id: incident.id, status: incident.status } };
          },
        });
        registry.register({
          name: 'resolve-incident',
          title: 'Resolve incident',
          description: 'Marks an incident resolved. Resolving twice is harmless.',
          attributes: { destructive: false, idempotent: true },
          schema: {
            input: z => z.object({ id: z.string().describe('Incident id, e.g. INC-1001') }),
            output: z => z.object({ id: z.string(), status: z.string() }),
          },
          action: async ({ input }) => {
            const incident = incidents.find(i => i.id === input.id);
            if (!incident) throw new NotFoundError(`No incident ${input.id}`);
            incident.status = 'resolved';
            return { output: { id: incident.id, status: incident.status } };
          },
        });
        registry.register({
          name: 'restart-deployment',
          title: 'Restart deployment',
          description: 'Restarts every pod of a service in one environment. Production needs a reason.',
          attributes: { destructive: true },
          schema: {
            input: z =>
              z.object({
                service: z.string(),
                environment: z.enum(['staging', 'production']),
                reason: z.string().optional(),
              }),
            output: z => z.object({ service: z.string(), environment: z.string(), restartedPods: z.number() }),
          },
          action: async ({ input }) => {
            knownService(input.service);
            if (input.environment === 'production' && !input.reason) {
              throw new InputError('Restarting production needs a reason');
            }
            return { output: { service: input.service, environment: input.environment, restartedPods: 3 } };
          },
        });
        registry.register({
          name: 'provision-environment',
          title: 'Provision preview environment',
          description:
            'Creates a preview environment of a service. Slow (8 s unless told otherwise): clients that support MCP tasks get a task to poll.',
          attributes: { destructive: false },
          schema: {
            input: z =>
              z.object({
                service: z.string(),
                seconds: z.number().min(0).max(600).optional().describe('How long it takes (default 8)'),
              }),
            output: z =>
              z.object({ service: z.string(), environment: z.string(), url: z.string(), tookSeconds: z.number() }),
          },
          action: async ({ input }) => {
            knownService(input.service);
            const seconds = input.seconds ?? 8;
            await new Promise(resolve => setTimeout(resolve, seconds * 1000));
            const environment = `preview-${input.service}-${Date.now().toString(36)}`;
            return {
              output: {
                service: input.service,
                environment,
                url: `https://${environment}.preview.example.com`,
                tookSeconds: seconds,
              },
            };
          },
        });
        registry.register({
          name: 'publish-release',
          title: 'Publish a release',
          description:
            'Publishes a release of a service to the package registry with your own registry token.',
          attributes: { destructive: false },
          schema: {
            input: z => z.object({ service: z.string(), version: z.string().describe('e.g. 1.4.0') }),
            output: z =>
              z.object({ service: z.string(), version: z.string(), publishedBy: z.string(), tokenFingerprint: z.string() }),
            // The token is a secret: never an argument, given by the user on the Backstage page.
            secrets: z => z.object({ registryToken: z.string().min(1).describe('Your package registry token') }),
          },
          action: async ({ input, secrets, credentials }) => {
            knownService(input.service);
            const p = credentials.principal;
            const fingerprint = require('node:crypto')
              .createHash('sha256')
              .update(secrets.registryToken)
              .digest('hex')
              .slice(0, 12);
            return {
              output: {
                service: input.service,
                version: input.version,
                publishedBy: p.userEntityRef ?? `${p.type}:${p.subject}`,
                tokenFingerprint: fingerprint,
              },
            };
          },
        });
      },
    });
  },
});
