import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { InputError, NotFoundError } from '@backstage/errors';

/**
 * A real plugin (`testing`) that registers real actions with the Actions Registry, one for
 * each behaviour the end-to-end tests look at.
 */
export const testActionsPlugin = createBackendPlugin({
  pluginId: 'testing',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        registry.register({
          name: 'echo',
          title: 'Echo',
          description: 'Returns the message it was given, and its length.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ message: z.string().describe('What to echo') }),
            output: z => z.object({ echoed: z.string(), length: z.number() }),
          },
          action: async ({ input }) => ({
            output: { echoed: input.message, length: input.message.length },
          }),
        });
        registry.register({
          name: 'whoami',
          title: 'Who am I',
          description: 'Reports the principal the action runs as.',
          attributes: { readOnly: true },
          schema: {
            input: z => z.object({}),
            output: z =>
              z.object({ type: z.string(), subject: z.string().optional() }),
          },
          action: async ({ credentials }) => {
            const p = credentials.principal as {
              type: string;
              subject?: string;
              userEntityRef?: string;
            };
            return {
              output: { type: p.type, subject: p.subject ?? p.userEntityRef },
            };
          },
        });
        registry.register({
          name: 'divide',
          title: 'Divide',
          description: 'Divides two numbers; refuses to divide by zero.',
          attributes: { readOnly: true, idempotent: true },
          schema: {
            input: z => z.object({ dividend: z.number(), divisor: z.number() }),
            output: z => z.object({ quotient: z.number() }),
          },
          action: async ({ input }) => {
            if (input.divisor === 0) {
              throw new InputError('cannot divide by zero');
            }
            return { output: { quotient: input.dividend / input.divisor } };
          },
        });
        registry.register({
          name: 'find-widget',
          title: 'Find widget',
          description: 'Looks up a widget by name; there are none.',
          attributes: { readOnly: true },
          schema: {
            input: z => z.object({ name: z.string() }),
            output: z => z.object({ id: z.string() }),
          },
          action: async ({ input }) => {
            throw new NotFoundError(`no widget named "${input.name}"`);
          },
        });
        registry.register({
          name: 'explode',
          title: 'Explode',
          description: 'Fails with a plain Error whose message must not reach clients.',
          attributes: { destructive: true },
          schema: {
            input: z => z.object({}),
            output: z => z.object({}),
          },
          action: async () => {
            throw new Error('connection to postgres://admin:hunter2@db failed');
          },
        });
        registry.register({
          name: 'delete-widget',
          title: 'Delete widget',
          description: 'Deletes a widget (pretends to).',
          attributes: { destructive: true, idempotent: true },
          schema: {
            input: z => z.object({ name: z.string() }),
            output: z => z.object({ deleted: z.boolean() }),
          },
          action: async () => ({ output: { deleted: true } }),
        });
      },
    });
  },
});
