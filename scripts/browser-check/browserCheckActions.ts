// Copied into the create-app app's backend by scripts/browser-check.sh: a real plugin
// (`browser-check`) registering real actions, one that runs long enough to be cancelled from
// the page as an MCP task, one that echoes (rate limited, for the Usage tab), one that restarts (confirmed first), one that says who called, and one that needs a secret (given on
// the page's secrets form, never as an argument).
import { createHash } from 'node:crypto';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';

export default createBackendPlugin({
  pluginId: 'browser-check',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'wait',
          title: 'Wait',
          description: 'Waits the given number of seconds, then says how long it waited.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z =>
              z.object({ seconds: z.number().min(0).max(600).describe('How long to wait') }),
            output: z => z.object({ waited: z.number() }),
          },
          action: async ({ input }) => {
            await new Promise(resolve => setTimeout(resolve, input.seconds * 1000));
            return { output: { waited: input.seconds } };
          },
        });
        registry.register({
          name: 'deploy',
          title: 'Deploy with a token',
          description: 'Deploys a service with your deploy token.',
          attributes: { idempotent: true },
          schema: {
            input: z => z.object({ service: z.string() }),
            output: z => z.object({ service: z.string(), tokenSha256: z.string() }),
            secrets: z => z.object({ token: z.string().min(1).describe('Your deploy token') }),
          },
          action: async ({ input, secrets }) => ({
            output: {
              service: input.service,
              tokenSha256: createHash('sha256').update(secrets.token).digest('hex'),
            },
          }),
        });
        registry.register({
          name: 'echo',
          title: 'Echo',
          description: 'Says back the message it was given.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ message: z.string().describe('What to say back') }),
            output: z => z.object({ message: z.string() }),
          },
          action: async ({ input }) => ({ output: { message: input.message } }),
        });
        registry.register({
          name: 'restart',
          title: 'Restart service',
          description: 'Restarts a service (pretends to); the platform team has a person confirm it.',
          attributes: { destructive: true },
          schema: {
            input: z => z.object({ service: z.string().describe('The service to restart') }),
            output: z => z.object({ restarted: z.string() }),
          },
          action: async ({ input }) => ({ output: { restarted: input.service } }),
        });
        registry.register({
          name: 'whoami',
          title: 'Who am I',
          description: 'Reports the principal the action runs as.',
          attributes: { readOnly: true },
          schema: {
            input: z => z.object({}),
            output: z => z.object({ type: z.string(), subject: z.string().optional() }),
          },
          action: async ({ credentials }) => {
            const p = credentials.principal as {
              type: string;
              subject?: string;
              userEntityRef?: string;
            };
            return { output: { type: p.type, subject: p.subject ?? p.userEntityRef } };
          },
        });
      },
    });
  },
});
