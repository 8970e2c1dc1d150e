import type {
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import express, { type Request, type Response, Router } from 'express';
import type { McpEngine, McpHttpResponse } from '../../index';
import { type CredentialsTable, describePrincipal } from '../bridge/credentials';

/** Largest request body accepted, as for Backstage's own JSON parser defaults × 40. */
const BODY_LIMIT = '4mb';

function send(res: Response, answer: McpHttpResponse): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) {
    res.setHeader(name, value);
  }
  res.end(answer.body ?? undefined);
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The Streamable HTTP endpoint `/v1`: authenticate with Backstage, move the raw bytes to the
 * engine, write its answer. Nothing here knows JSON-RPC.
 */
export function createStreamableRouter(options: {
  engine: McpEngine;
  httpAuth: HttpAuthService;
  credentials: CredentialsTable;
  logger: LoggerService;
}): Router {
  const { engine, httpAuth, credentials, logger } = options;
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: BODY_LIMIT });

  const handlePost = async (req: Request, res: Response, server?: string) => {
    let caller;
    try {
      caller = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    } catch (error) {
      if (isError(error) && error.name === 'AuthenticationError') {
        send(res, engine.unauthorized(Boolean(req.headers.authorization)));
        return;
      }
      throw error;
    }
    const handle = credentials.add(caller);
    try {
      const answer = await engine.handlePost({
        credentials: handle,
        principal: describePrincipal(caller),
        server,
        readOnly: header(req, 'x-mcp-readonly'),
        accept: header(req, 'accept'),
        contentType: header(req, 'content-type'),
        protocolVersion: header(req, 'mcp-protocol-version'),
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      });
      send(res, answer);
    } finally {
      credentials.release(handle);
    }
  };

  const post = (req: Request, res: Response, server?: string) => {
    rawBody(req, res, parseError => {
      if (parseError) {
        const status = (parseError as { status?: number }).status ?? 400;
        send(res, engine.unreadableBody(status, String(parseError.message)));
        return;
      }
      handlePost(req, res, server).catch(error => {
        logger.error(
          `MCP request failed: ${isError(error) ? error.name : 'Error'}`,
        );
        if (!res.headersSent) send(res, engine.internalError());
      });
    });
  };

  // `/v1` is the default server, `/v1/{key}` a server of `mcpActions.servers`.
  router.post('/v1', (req, res) => post(req, res));
  router.post('/v1/:server', (req, res) => post(req, res, req.params.server));
  router.all('/v1', (req, res) => send(res, engine.methodNotAllowed(req.method)));
  router.all('/v1/:server', (req, res) =>
    send(res, engine.methodNotAllowed(req.method, req.params.server)),
  );

  return router;
}
