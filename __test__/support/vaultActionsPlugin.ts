import { createBackendModule, createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { AuthorizeResult, createPermission } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/** What only some principals may see: the registry hides `vault:open-vault` from the rest. */
export const openVaultPermission = createPermission({ name: 'vault.open', attributes: {} });

/** A real plugin (`vault`) with one action anyone sees and one behind a visibility permission. */
export const vaultActionsPlugin = createBackendPlugin({
  pluginId: 'vault',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'list-vault-items',
          title: 'List vault items',
          description: 'Lists the names of the items in the vault.',
          attributes: { readOnly: true },
          schema: { input: z => z.object({}), output: z => z.object({ names: z.array(z.string()) }) },
          action: async () => ({ output: { names: ['a', 'b'] } }),
        });
        registry.register({
          name: 'open-vault',
          title: 'Open vault',
          description: 'Opens the vault and returns what is inside.',
          attributes: { readOnly: true },
          visibilityPermission: openVaultPermission,
          schema: { input: z => z.object({}), output: z => z.object({ inside: z.string() }) },
          action: async () => ({ output: { inside: 'gold' } }),
        });
      },
    });
  },
});

/** The permission backend's policy: `vault.open` is denied to every user; the rest allowed. */
export const denyVaultPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'deny-vault',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(request) {
            return {
              result: request.permission.name === openVaultPermission.name ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
            };
          },
        });
      },
    });
  },
});
