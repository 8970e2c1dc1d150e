import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { McpEngine, McpHttpResponse } from '../../index';
import { describePrincipal } from '../bridge/credentials';

/**
 * The secrets page's API, with the route names of Backstage's own plugin:
 * `GET /v1/elicitations/:elicitationId` and `POST /v1/elicitations/:elicitationId/secrets`
 * (`{ csrfToken, secrets }`). Signed-in users only (Backstage's `httpAuth` decides; a failure
 * is its own error answer); who may see and answer a request for secrets is the engine's rule.
 * The body is handed to the engine as bytes and never logged.
 */
export function createElicitationRouter(options: {
  engine: McpEngine;
  httpAuth: HttpAuthService;
}): Router {
  const { engine, httpAuth } = options;
  const router = Router();
  const body = express.raw({ type: () => true, limit: 64 * 1024 });

  const send = (res: Response, answer: McpHttpResponse) => {
    res.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.setHeader('cache-control', 'no-store');
    res.end(answer.body ?? undefined);
  };

  router.get('/v1/elicitations/:elicitationId', (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const caller = await httpAuth.credentials(req, { allow: ['user'] });
      send(
        res,
        await engine.elicitation({
          route: 'view',
          elicitationId: req.params.elicitationId,
          principal: describePrincipal(caller),
        }),
      );
    })().catch(next);
  });

  router.post(
    '/v1/elicitations/:elicitationId/secrets',
    body,
    (req: Request, res: Response, next: NextFunction) => {
      (async () => {
        const caller = await httpAuth.credentials(req, { allow: ['user'] });
        send(
          res,
          await engine.elicitation({
            route: 'submit',
            elicitationId: req.params.elicitationId,
            principal: describePrincipal(caller),
            body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          }),
        );
      })().catch(next);
    },
  );
  return router;
}
