import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  type ActionsRegistryService,
  actionsRegistryServiceRef,
} from '@backstage/backend-plugin-api/alpha';

/** What the `modern` plugin's actions have seen, for tests to assert on. */
export const modernActions = {
  /** `modern:wait` calls that started and have not finished. */
  waiting: 0,
  /** `modern:wait` calls that ran to the end. */
  finished: 0,
  registry: undefined as ActionsRegistryService | undefined,
  /** Register one more action now, as a plugin that adds actions at runtime would. */
  addLateAction(name: string): void {
    modernActions.registry!.register({
      name,
      title: 'Added later',
      description: 'An action registered after the backend started.',
      attributes: { readOnly: true, idempotent: true },
      schema: { input: z => z.object({}), output: z => z.object({ ok: z.boolean() }) },
      action: async () => ({ output: { ok: true } }),
    });
  },
};

/**
 * A real plugin (`modern`) whose actions show what the 2026-07-28 era adds: a slow action
 * (progress, cancellation) and one whose output is an array (structuredContent of any JSON).
 */
export const modernActionsPlugin = createBackendPlugin({
  pluginId: 'modern',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        modernActions.registry = registry;
        registry.register({
          name: 'wait',
          title: 'Wait',
          description: 'Answers after the given number of milliseconds.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ ms: z.number().int().min(0).max(60_000) }),
            output: z => z.object({ waited: z.number() }),
          },
          action: async ({ input }) => {
            modernActions.waiting += 1;
            try {
              await new Promise(resolve => setTimeout(resolve, input.ms));
            } finally {
              modernActions.waiting -= 1;
            }
            modernActions.finished += 1;
            return { output: { waited: input.ms } };
          },
        });
        registry.register({
          name: 'colours',
          title: 'Colours',
          description: 'The colours of the widgets, as a list.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({}),
            // Backstage's typings ask for an object; the registry serves any schema (a plugin
            // written in JavaScript registers this as is).
            output: ((z: typeof import('zod/v3').z) => z.array(z.string())) as unknown as never,
          },
          action: async () => ({ output: ['red', 'green', 'blue'] }),
        });
      },
    });
  },
});
