import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';

/** What the `jobs` plugin's actions have seen, for tests to assert on. */
export const jobs = {
  /** Calls that started. */
  started: 0,
  /** Calls running now. */
  running: 0,
  /** Calls that ran to the end. */
  finished: 0,
  /** The principal of the last call, as the action saw it. */
  lastCaller: '',
};

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * A real plugin (`jobs`) with slow actions, as scaffolder-style plugins have: one that
 * answers, one that reports a Backstage error (an `isError` result), one that crashes (a
 * JSON-RPC failure), and one that is configured to become a task at once.
 */
export const tasksActionsPlugin = createBackendPlugin({
  pluginId: 'jobs',
  register(env) {
    env.registerInit({
      deps: { registry: actionsRegistryServiceRef },
      async init({ registry }) {
        const slow = (name: string, finish: (ms: number) => object) =>
          registry.register({
            name,
            title: name,
            description: `Takes the given number of milliseconds (${name}).`,
            attributes: { readOnly: true, idempotent: true },
            schema: {
              input: z => z.object({ ms: z.number().int().min(0).max(60_000) }),
              output: z => z.object({ waited: z.number(), by: z.string() }),
            },
            action: async ({ input, credentials }) => {
              jobs.started += 1;
              jobs.running += 1;
              try {
                await sleep(input.ms);
              } finally {
                jobs.running -= 1;
              }
              jobs.finished += 1;
              const p = credentials.principal as { type: string; subject?: string; userEntityRef?: string };
              jobs.lastCaller = p.userEntityRef ?? `${p.type}:${p.subject}`;
              return { output: finish(input.ms) as { waited: number; by: string } };
            },
          });
        slow('build', ms => ({ waited: ms, by: jobs.lastCaller }));
        slow('provision', ms => ({ waited: ms, by: jobs.lastCaller }));
        slow('reject', () => {
          throw new InputError('the template needs a name');
        });
        slow('crash', () => {
          throw new Error('disk full on the build host');
        });
      },
    });
  },
});
