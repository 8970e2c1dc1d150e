import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';

/** The `count` items `bulk:list-items` answers: `{ items: [{ id, name }] }`, in order. */
export function bulkItems(count: number) {
  return { items: Array.from({ length: count }, (_, i) => ({ id: i, name: `item-${String(i).padStart(5, '0')}` })) };
}

/**
 * A real plugin (`bulk`) whose action answers as much as it is asked for, as a catalog
 * query without a limit does: for the result budgets.
 */
export const bulkActionsPlugin = createBackendPlugin({
  pluginId: 'bulk',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'list-items',
          title: 'List items',
          description: 'Lists the given number of items.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ count: z.number().int().min(0).max(100_000) }),
            output: z => z.object({ items: z.array(z.object({ id: z.number(), name: z.string() })) }),
          },
          action: async ({ input }) => ({ output: bulkItems(input.count) }),
        });
      },
    });
  },
});
