import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createServiceFactory,
  type BackendFeature,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { createServer } from 'node:net';

export const STATIC_TOKEN = 'mcp-test-token-0123456789';
export const OTHER_TOKEN = 'mcp-other-token-9876543210';

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function merge(base: JsonObject, extra: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const prev = out[key];
    out[key] =
      prev && value && typeof prev === 'object' && typeof value === 'object' &&
      !Array.isArray(prev) && !Array.isArray(value)
        ? merge(prev as JsonObject, value as JsonObject)
        : value;
  }
  return out;
}

export interface RunningBackend {
  baseUrl: string;
  mcpUrl: string;
  stop(): Promise<void>;
}

/**
 * A real Backstage user token, from the guest provider of the auth backend (the backend must
 * include `@backstage/plugin-auth-backend` and its guest provider module).
 */
export async function guestUserToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/guest/refresh?env=development`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!res.ok) {
    throw new Error(`guest sign-in failed: ${res.status} ${await res.text()}`);
  }
  const body = (await res.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}

/** Config that enables the guest provider outside NODE_ENV=development (tests only). */
export const guestAuthConfig: JsonObject = {
  auth: {
    environment: 'development',
    providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
  },
};

/**
 * A real Backstage backend (`@backstage/backend-defaults`) on a free loopback port, with
 * in-memory SQLite, two static tokens and the given features.
 */
export async function startBackend(options: {
  features: Array<BackendFeature | Promise<{ default: BackendFeature }>>;
  config?: JsonObject;
}): Promise<RunningBackend> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = merge(
    {
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { port, host: '127.0.0.1' },
        database: { client: 'better-sqlite3', connection: ':memory:' },
        auth: {
          externalAccess: [
            { type: 'static', options: { token: STATIC_TOKEN, subject: 'mcp-tests' } },
            { type: 'static', options: { token: OTHER_TOKEN, subject: 'other-client' } },
          ],
        },
        actions: { pluginSources: ['testing'] },
      },
    },
    options.config ?? {},
  );
  const backend = createBackend();
  backend.add(
    createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () => new ConfigReader(config),
    }),
  );
  for (const feature of options.features) backend.add(feature);
  try {
    await backend.start();
  } catch (error) {
    await backend.stop().catch(() => {});
    throw error;
  }
  return {
    baseUrl,
    mcpUrl: `${baseUrl}/api/mcp-actions/v1`,
    stop: () => backend.stop(),
  };
}
