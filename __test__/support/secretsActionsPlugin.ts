import { createHash } from 'node:crypto';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';

/** sha256 of a text, hex: what the action reports of the secret it got (never the secret). */
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A real plugin (`vault`) with an action that declares secrets (`schema.secrets`, Backstage
 * 1.9.2+): the registry refuses it without them, and it answers a hash of the token it got
 * and who called.
 */
export const secretsActionsPlugin = createBackendPlugin({
  pluginId: 'vault',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'deploy',
          title: 'Deploy with a token',
          description: 'Deploys a service with the caller’s deploy token.',
          attributes: { destructive: false, readOnly: false, idempotent: true },
          schema: {
            input: z => z.object({ service: z.string().describe('The service to deploy') }),
            output: z =>
              z.object({ service: z.string(), tokenSha256: z.string(), by: z.string() }),
            secrets: z =>
              z.object({ token: z.string().min(1).describe('Your personal deploy token') }),
          },
          action: async ({ input, secrets, credentials }) => {
            const p = credentials.principal as { type: string; subject?: string; userEntityRef?: string };
            return {
              output: {
                service: input.service,
                tokenSha256: sha256(secrets.token),
                by: p.userEntityRef ?? `${p.type}:${p.subject}`,
              },
            };
          },
        });
      },
    });
  },
});
