// The benchmark's action source: a plugin `bench` registering 106 actions with realistic
// schemas (a dozen shapes over typical platform nouns), one of which is `echo`. It also serves
// `POST /api/bench/bare`, the least a Backstage plugin route does: authenticate the caller with
// httpAuth, record one auditor event, answer a small JSON body. With the registry's invoke it
// is the floor of an MCP tools/call, which is two such Backstage requests.
'use strict';

const express = require('express');
const { coreServices, createBackendPlugin } = require('@backstage/backend-plugin-api');
const { actionsRegistryServiceRef } = require('@backstage/backend-plugin-api/alpha');

const NOUNS = [
  'service', 'deployment', 'incident', 'alert', 'runbook', 'pipeline', 'environment',
  'secret-ref', 'team', 'dashboard', 'feature-flag', 'database', 'queue', 'certificate',
  'dns-record',
];
const VERBS = ['get', 'list', 'create', 'update', 'delete', 'describe', 'restart'];

/**
 * How many actions the plugin registers: 106 (echo and every verb over every noun), or
 * `BENCH_ACTIONS` (for the context table's 1,000): then the nouns repeat with a number, as
 * an installation with many similar plugins has (`get-service-2`).
 */
const TOTAL = Number(process.env.BENCH_ACTIONS ?? 1 + VERBS.length * NOUNS.length);

/** [verb, noun] of every action but echo, in registration order. */
function pairs() {
  const out = [];
  for (let round = 1; out.length < TOTAL - 1; round++) {
    for (const verb of VERBS) {
      for (const noun of NOUNS) {
        if (out.length < TOTAL - 1) out.push([verb, round === 1 ? noun : `${noun}-${round}`]);
      }
    }
  }
  return out;
}

/** One action's schemas and attributes from its verb. */
function shape(verb, noun) {
  const readOnly = ['get', 'list', 'describe'].includes(verb);
  return {
    attributes: { readOnly, idempotent: readOnly || verb === 'update', destructive: verb === 'delete' },
    schema: {
      input: z =>
        z.object({
          name: z.string().min(1).describe(`The ${noun}'s name`),
          namespace: z.string().default('default').describe('Catalog namespace'),
          ...(verb === 'list' && {
            limit: z.number().int().min(1).max(500).optional().describe('Most items to return'),
            cursor: z.string().optional().describe('Where the previous page ended'),
          }),
          ...(['create', 'update'].includes(verb) && {
            owner: z.string().describe('Owning group, e.g. group:default/platform'),
            labels: z.record(z.string()).optional(),
            tier: z.enum(['gold', 'silver', 'bronze']).optional(),
          }),
          ...(verb === 'restart' && { reason: z.string().max(500), dryRun: z.boolean().optional() }),
        }),
      output: z =>
        z.object({
          name: z.string(),
          kind: z.literal(noun),
          status: z.enum(['ok', 'pending', 'failed']),
          updatedAt: z.string(),
        }),
    },
  };
}

exports.benchActionsPlugin = createBackendPlugin({
  pluginId: 'bench',
  register(env) {
    env.registerInit({
      deps: {
        registry: actionsRegistryServiceRef,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
      },
      async init({ registry, httpRouter, httpAuth, auditor }) {
        const router = express.Router();
        router.post('/bare', express.json(), async (req, res, next) => {
          try {
            const credentials = await httpAuth.credentials(req);
            const event = await auditor.createEvent({ eventId: 'bare-route', request: req });
            await event.success();
            res.json({ message: req.body?.message, principal: credentials.principal.type });
          } catch (error) {
            next(error);
          }
        });
        httpRouter.use(router);
        registry.register({
          name: 'echo',
          title: 'Echo',
          description: 'Answers with the message it was given.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ message: z.string() }),
            output: z => z.object({ message: z.string() }),
          },
          action: async ({ input }) => ({ output: { message: input.message } }),
        });
        for (const [verb, noun] of pairs()) {
          const { attributes, schema } = shape(verb, noun);
          registry.register({
            name: `${verb}-${noun}`,
            title: `${verb[0].toUpperCase()}${verb.slice(1)} ${noun}`,
            description: `${verb[0].toUpperCase()}${verb.slice(1)} a ${noun} in the platform inventory.`,
            attributes,
            schema,
            action: async ({ input }) => ({
              output: { name: input.name, kind: noun, status: 'ok', updatedAt: new Date(0).toISOString() },
            }),
          });
        }
      },
    });
  },
});

/** How many actions the plugin registers. */
exports.BENCH_ACTION_COUNT = TOTAL;
