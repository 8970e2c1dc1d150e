import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { McpEngine } from '../../index';
import { describePrincipal } from '../bridge/credentials';
import { send } from './send';

/**
 * The secrets page's API, with the route names of Backstage's own plugin:
 * `GET /v1/elicitations/:elicitationId` and `POST /v1/elicitations/:elicitationId/secrets`
 * (`{ csrfToken, secrets }`). Users (the page) and services (a static token, with the `curl`
 * the tool's answer gives); Backstage's `httpAuth` decides who the caller is, and a failure is
 * its own error answer. Who may see and answer a request for secrets is the engine's rule: the
 * principal whose call started it, and nobody else.
 * The body is handed to the engine as bytes and never logged.
 */
export function createElicitationRouter(options: {
  engine: McpEngine;
  httpAuth: HttpAuthService;
}): Router {
  const { engine, httpAuth } = options;
  const router = Router();
  const body = express.raw({ type: () => true, limit: 64 * 1024 });

  router.get('/v1/elicitations/:elicitationId', (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const caller = await httpAuth.credentials(req, { allow: ['user', 'service'] });
      send(
        res,
        await engine.elicitation({
          route: 'view',
          elicitationId: req.params.elicitationId,
          principal: describePrincipal(caller),
        }),
        { noStore: true },
      );
    })().catch(next);
  });

  router.post(
    '/v1/elicitations/:elicitationId/secrets',
    body,
    (req: Request, res: Response, next: NextFunction) => {
      (async () => {
        const caller = await httpAuth.credentials(req, { allow: ['user', 'service'] });
        send(
          res,
          await engine.elicitation({
            route: 'submit',
            elicitationId: req.params.elicitationId,
            principal: describePrincipal(caller),
            body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          }),
          { noStore: true },
        );
      })().catch(next);
    },
  );
  return router;
}
