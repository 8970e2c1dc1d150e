import http from 'node:http';
import https from 'node:https';
import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import type { HostOutcome } from '../../index';

/** Renew a plugin token this long before it expires. */
const TOKEN_RENEW_MS = 60_000;
/** `mcpActions.sourceListTimeout` by default, in seconds. */
const DEFAULT_LIST_TIMEOUT_S = 10;
/** At most one warning per plugin source that cannot be listed, per this long. */
const SOURCE_WARNING_MS = 60_000;

/**
 * The actions registry's HTTP API, spoken directly: the same requests Backstage's default
 * `ActionsService` makes (`GET .../.backstage/actions/v1/actions`, `POST .../{id}/invoke`,
 * with a plugin token on behalf of the caller), without what that costs per call. Bodies stay
 * JSON text end to end (Rust parses them), responses are not compressed on loopback, sockets
 * are kept alive, and the plugin token for a caller and target is reused until shortly before
 * it expires. The registry still authenticates and authorizes every request.
 */
export interface RegistryClient {
  /** `[{ "actions": [...] }, ...]`: each plugin source's answer, as JSON text. */
  list(caller: BackstageCredentials): Promise<HostOutcome>;
  /** The registry's answer `{ "output": ... }` as JSON text in `response`. */
  /**
   * `secrets`: JSON text of the secrets the user submitted (the v2 invoke, `{ input, secrets }`);
   * without them, the v1 invoke with the input as the body.
   */
  invoke(
    caller: BackstageCredentials,
    actionId: string,
    input: string,
    secrets?: string,
  ): Promise<HostOutcome>;
}

interface Answer {
  status: number;
  statusText: string;
  text: string;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

function request(
  url: string,
  options: {
    method: 'GET' | 'POST';
    headers: Record<string, string>;
    body?: string;
    /** Give up when no answer came within this many milliseconds. */
    timeoutMs?: number;
  },
): Promise<Answer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = agents[target.protocol as keyof typeof agents];
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: options.method,
        agent,
        headers: {
          ...options.headers,
          accept: 'application/json',
          'accept-encoding': 'identity',
          ...(options.body !== undefined && {
            'content-length': String(Buffer.byteLength(options.body)),
          }),
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.timeoutMs !== undefined) {
      const seconds = options.timeoutMs / 1000;
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`no answer within ${seconds} s (mcpActions.sourceListTimeout)`)),
      );
    }
    req.end(options.body);
  });
}

/** `exp` of a JWT in milliseconds, when it has one. */
function expiresAt(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A failed registry answer as the Backstage error it carries (`InputError`,
 * `NotFoundError`, ...), as Backstage's `ResponseError` would unwrap it.
 */
function failure(answer: Answer): HostOutcome {
  try {
    const { error } = JSON.parse(answer.text) as { error?: { name?: unknown; message?: unknown } };
    if (typeof error?.name === 'string' && typeof error.message === 'string') {
      return { errorName: error.name, errorMessage: error.message };
    }
  } catch {
    // not a Backstage error body
  }
  return {
    errorName: 'ResponseError',
    errorMessage: `Request failed with ${answer.status} ${answer.statusText}`.trimEnd(),
  };
}

export function createRegistryClient(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  config: RootConfigService;
  logger: LoggerService;
}): RegistryClient {
  const { auth, discovery, config, logger } = options;
  // A slow plugin source must not hold up the others' tools (the engine validated it).
  const listTimeoutMs =
    (config.getOptionalNumber('mcpActions.sourceListTimeout') ?? DEFAULT_LIST_TIMEOUT_S) * 1000;
  // Per caller (the credentials object the credentials cache keeps), per target plugin.
  const tokens = new WeakMap<BackstageCredentials, Map<string, { token: string; renewAt: number }>>();
  const warned = new Map<string, number>();

  async function token(caller: BackstageCredentials, targetPluginId: string): Promise<string> {
    const now = Date.now();
    let mine = tokens.get(caller);
    const cached = mine?.get(targetPluginId);
    if (cached && cached.renewAt > now) return cached.token;
    const { token: fresh } = await auth.getPluginRequestToken({
      onBehalfOf: caller,
      targetPluginId,
    });
    const exp = expiresAt(fresh);
    if (exp !== undefined && exp - TOKEN_RENEW_MS > now) {
      if (!mine) tokens.set(caller, (mine = new Map()));
      mine.set(targetPluginId, { token: fresh, renewAt: exp - TOKEN_RENEW_MS });
    }
    return fresh;
  }

  async function call(
    caller: BackstageCredentials,
    pluginId: string,
    path: string,
    body?: string,
    timeoutMs?: number,
  ): Promise<Answer> {
    const [baseUrl, bearer] = await Promise.all([
      discovery.getBaseUrl(pluginId),
      token(caller, pluginId),
    ]);
    return request(`${baseUrl}/.backstage/actions/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body,
      timeoutMs,
    });
  }

  /** A plugin source that cannot be listed is left out, with one warning per interval. */
  function warn(source: string, reason: string) {
    const now = Date.now();
    if ((warned.get(source) ?? 0) > now) return;
    warned.set(source, now + SOURCE_WARNING_MS);
    logger.warn(`Failed to fetch actions from ${source}: ${reason}; its tools are left out`);
  }

  return {
    async list(caller) {
      const sources = config.getOptionalStringArray('backend.actions.pluginSources') ?? [];
      const answers = await Promise.all(
        sources.map(async source => {
          try {
            const answer = await call(caller, source, 'v1/actions', undefined, listTimeoutMs);
            if (answer.status === 200) {
              warned.delete(source);
              return answer.text;
            }
            const { errorName, errorMessage } = failure(answer);
            warn(source, `${errorName}: ${errorMessage}`);
          } catch (error) {
            warn(source, String(error));
          }
          return undefined;
        }),
      );
      return { json: `[${answers.filter(a => a !== undefined).join(',')}]` };
    },

    async invoke(caller, actionId, input, secrets) {
      const colon = actionId.indexOf(':');
      if (colon < 0) return { errorName: 'InputError', errorMessage: `Invalid action id: ${actionId}` };
      const answer = await call(
        caller,
        actionId.slice(0, colon),
        `${secrets === undefined ? 'v1' : 'v2'}/actions/${encodeURIComponent(actionId)}/invoke`,
        secrets === undefined ? input : `{"input":${input},"secrets":${secrets}}`,
      );
      return answer.status === 200 ? { response: answer.text } : failure(answer);
    },
  };
}
