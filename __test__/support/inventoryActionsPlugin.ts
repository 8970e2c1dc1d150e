import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';

/** A second real plugin (`inventory`), so that servers can filter across plugins. */
export const inventoryActionsPlugin = createBackendPlugin({
  pluginId: 'inventory',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        const items = new Set(['bolt', 'nut']);
        registry.register({
          name: 'list-items',
          title: 'List items',
          description: 'Everything in stock.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({}),
            output: z => z.object({ items: z.array(z.string()) }),
          },
          action: async () => ({ output: { items: [...items].sort() } }),
        });
        registry.register({
          name: 'add-item',
          title: 'Add item',
          description: 'Adds an item to stock.',
          attributes: { destructive: false, idempotent: true },
          schema: {
            input: z => z.object({ item: z.string() }),
            output: z => z.object({ count: z.number() }),
          },
          action: async ({ input }) => {
            items.add(input.item);
            return { output: { count: items.size } };
          },
        });
        registry.register({
          name: 'remove-item',
          title: 'Remove item',
          description: 'Removes an item from stock.',
          attributes: { destructive: true },
          schema: {
            input: z => z.object({ item: z.string() }),
            output: z => z.object({ count: z.number() }),
          },
          action: async ({ input }) => {
            items.delete(input.item);
            return { output: { count: items.size } };
          },
        });
      },
    });
  },
});
