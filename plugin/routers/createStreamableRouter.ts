import type {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import express, { type Request, type Response, Router } from 'express';
import type { McpEngine } from '../../index';
import { send } from './send';
import { type CredentialsTable, describePrincipal } from '../bridge/credentials';
import type { Observer } from '../bridge/observe';
import type { RequestTable } from '../bridge/requests';
import type { StreamTable } from '../bridge/streams';

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function query(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The MCP endpoints: Streamable HTTP at `/v1[/{server}]` and the legacy HTTP+SSE transport
 * at `/v1[/{server}]/sse`. Authenticate with Backstage, move raw bytes to the engine, write
 * its answers. Nothing here knows JSON-RPC or sessions.
 */
export function createStreamableRouter(options: {
  engine: McpEngine;
  httpAuth: HttpAuthService;
  credentials: CredentialsTable;
  streams: StreamTable;
  requests: RequestTable;
  observer: Observer;
  logger: LoggerService;
  /** `mcpActions.limits.maxRequestBodyBytes`. */
  bodyLimit: number;
}): Router {
  const { engine, httpAuth, credentials, streams, requests, observer, logger, bodyLimit } =
    options;
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: bodyLimit });

  /**
   * The engine may refuse first (an origin that may not call, a JWT that cannot be valid) or
   * remember that Backstage already accepted this token; otherwise Backstage decides who the
   * caller is, and a refusal is the engine's 401 challenge. On success the caller holds one
   * reference to `handle`, which it releases when done.
   */
  async function authenticate(
    req: Request,
    res: Response,
  ): Promise<{ caller: BackstageCredentials; handle: number } | undefined> {
    const server = req.params.server;
    const authorization = header(req, 'authorization');
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    const admission = engine.precheck({ origin: header(req, 'origin'), authorization, server, body });
    admission.release.forEach(h => credentials.release(h));
    if (admission.refusal) {
      send(res, admission.refusal);
      return undefined;
    }
    if (admission.cached !== undefined && admission.cached !== null) {
      const caller = credentials.get(admission.cached);
      if (caller && credentials.retain(admission.cached)) {
        return { caller, handle: admission.cached };
      }
    }
    let caller: BackstageCredentials;
    try {
      caller = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    } catch (error) {
      if (isError(error) && error.name === 'AuthenticationError') {
        send(res, engine.unauthorized(Boolean(authorization), server, body));
        return undefined;
      }
      throw error;
    }
    const handle = credentials.add(caller);
    // One more reference for the cache; it hands back what it does not keep.
    credentials.retain(handle);
    engine.rememberCredentials(authorization, handle).forEach(h => credentials.release(h));
    return { caller, handle };
  }

  /** Who the caller is, for a request that runs no call (streams, DELETE): no handle kept. */
  async function identify(
    req: Request,
    res: Response,
  ): Promise<BackstageCredentials | undefined> {
    const auth = await authenticate(req, res);
    if (auth) credentials.release(auth.handle);
    return auth?.caller;
  }

  /** Run a handler; a failure in the shim itself is a JSON-RPC 500, never a hang. */
  const guarded =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response) => {
      handler(req, res).catch(error => {
        logger.error(`MCP request failed: ${isError(error) ? error.name : 'Error'}`);
        if (!res.headersSent) send(res, engine.internalError());
        else res.end();
      });
    };

  /** Read the raw body; a body the parser refuses gets the engine's answer. */
  const withBody =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response) => {
      rawBody(req, res, parseError => {
        if (parseError) {
          const status = (parseError as { status?: number }).status ?? 400;
          const detail =
            status === 413
              ? `the request body is larger than ${bodyLimit} bytes (mcpActions.limits.maxRequestBodyBytes)`
              : String(parseError.message);
          send(res, engine.unreadableBody(status, detail));
          return;
        }
        guarded(handler)(req, res);
      });
    };

  const bodyOf = (req: Request) =>
    Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);

  // Streamable HTTP: POST (stateless, or stateful with Mcp-Session-Id).
  const post = withBody(async (req, res) => {
    const auth = await authenticate(req, res);
    if (!auth) return;
    const { caller, handle } = auth;
    observer.connection(req, res, 'streamable');
    const ticket = requests.open(req, res);
    // A client that goes away mid-request: the engine stops waiting for its call.
    let answered = false;
    let listening = false;
    let held = false;
    const onClose = () => {
      if (!answered) engine.abandon(ticket);
    };
    res.once('close', onClose);
    try {
      const answer = await engine.handlePost({
          ticket,
          credentials: handle,
          principal: describePrincipal(caller),
          server: req.params.server,
          readOnly: header(req, 'x-mcp-readonly'),
          tools: header(req, 'x-mcp-tools'),
          sessionId: header(req, 'mcp-session-id'),
          accept: header(req, 'accept'),
          contentType: header(req, 'content-type'),
          protocolVersion: header(req, 'mcp-protocol-version'),
          mcpMethod: header(req, 'mcp-method'),
          mcpName: header(req, 'mcp-name'),
          body: bodyOf(req),
      });
      answered = true;
      held = answer.held === true;
      res.off('close', onClose);
      const stream = answer.stream;
      if (stream) {
        // subscriptions/listen: the response stays open, with the caller's credentials.
        listening = true;
        streams.open(stream, res, answer, () => {
          engine.closeListen(stream);
          credentials.release(handle);
        });
        return;
      }
      if (res.destroyed) return;
      if (answer.streamed) {
        // Progress went out first: the head is sent, the answer is the last event.
        res.end(answer.body ?? undefined);
      } else {
        send(res, answer);
      }
      observer.report(req, answer.observations);
    } finally {
      // A call that became a task still runs with them: `deliver` releases them later.
      if (!listening && !held) credentials.release(handle);
      requests.close(ticket);
    }
  });

  // Streamable HTTP: GET opens a stateful session's stream (405 when stateless).
  const get = guarded(async (req, res) => {
    const caller = await identify(req, res);
    if (!caller) return;
    const answer = engine.openStream({
      server: req.params.server,
      sessionId: header(req, 'mcp-session-id'),
      principal: describePrincipal(caller),
    });
    if (!answer.sessionId) {
      send(res, answer.response);
      return;
    }
    const session = answer.sessionId;
    streams.open(session, res, answer.response, () => engine.closeStream(session));
  });

  // Streamable HTTP: DELETE ends a stateful session (405 when stateless).
  const remove = guarded(async (req, res) => {
    const caller = await identify(req, res);
    if (!caller) return;
    const sessionId = header(req, 'mcp-session-id');
    const answer = engine.deleteSession({
      server: req.params.server,
      sessionId,
      principal: describePrincipal(caller),
    });
    if (answer.status === 204 && sessionId) streams.end(sessionId);
    send(res, answer);
  });

  // Legacy HTTP+SSE: GET .../sse opens a session and its stream.
  const legacyOpen = guarded(async (req, res) => {
    const caller = await identify(req, res);
    if (!caller) return;
    const answer = engine.openLegacy({
      server: req.params.server,
      principal: describePrincipal(caller),
      messagesPath: `${req.baseUrl}${req.path.replace(/\/+$/, '')}/messages`,
    });
    if (!answer.sessionId) {
      send(res, answer.response);
      return;
    }
    const session = answer.sessionId;
    observer.connection(req, res, 'sse');
    streams.open(session, res, answer.response, () => engine.closeLegacy(session));
  });

  // Legacy HTTP+SSE: POST .../sse/messages?sessionId=… answers 202; the result goes down
  // the session's stream. Each POST is authenticated on its own.
  const legacyPost = withBody(async (req, res) => {
    const auth = await authenticate(req, res);
    if (!auth) return;
    const { caller, handle } = auth;
    let pending = false;
    const ticket = requests.open(req);
    try {
      const answer = engine.legacyPost({
        server: req.params.server,
        sessionId: query(req, 'sessionId'),
        principal: describePrincipal(caller),
        credentials: handle,
        ticket,
        contentType: header(req, 'content-type'),
        body: bodyOf(req),
      });
      pending = answer.pending;
      send(res, answer.response);
    } finally {
      if (!pending) {
        credentials.release(handle);
        requests.close(ticket);
      }
    }
  });

  const notAllowed = (req: Request, res: Response) =>
    send(res, engine.methodNotAllowed(req.method, req.params.server));

  for (const base of ['/v1', '/v1/:server']) {
    router.get(`${base}/sse`, legacyOpen);
    router.post(`${base}/sse/messages`, legacyPost);
  }
  for (const base of ['/v1', '/v1/:server']) {
    router.post(base, post);
    router.get(base, get);
    router.delete(base, remove);
    router.all(base, notAllowed);
  }
  return router;
}
