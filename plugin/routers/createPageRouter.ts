import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { McpEngine, McpHttpResponse, PageRequest } from '../../index';
import { type CredentialsTable, describePrincipal } from '../bridge/credentials';
import { usageReadPermission } from '../permissions';
import { send } from './send';

/** Where the frontend page's JSON API is mounted, under `/api/mcp-actions`. */
export const PAGE_API_PATH = '/ui/v1';

/**
 * The frontend page's JSON API: the servers, the tools the signed-in user sees on each,
 * that user's MCP tasks, their pending confirmations (`mcpActions.confirm`) with Confirm and
 * Decline, and the usage report (theirs; everyone's with `mcp-actions.usage.read`). Backstage's default auth policy guards these routes; each
 * answers as the signed-in user only (a service token gets Backstage's `403`), from the
 * same lists and rules the MCP endpoints use.
 */
export function createPageRouter(options: {
  engine: McpEngine;
  httpAuth: HttpAuthService;
  credentials: CredentialsTable;
  /** Decides `mcp-actions.usage.read` (everyone's usage). */
  permissions: PermissionsService;
}): Router {
  const { engine, httpAuth, credentials, permissions } = options;
  const router = Router();

  const answer =
    (
      route: PageRequest['route'],
      params: (req: Request, caller: BackstageCredentials) => Partial<PageRequest> | Promise<Partial<PageRequest>> = () => ({}),
    ) =>
    (req: Request, res: Response, next: NextFunction) => {
      (async () => {
        const caller = await httpAuth.credentials(req, { allow: ['user'] });
        const handle = credentials.add(caller);
        let result: McpHttpResponse;
        try {
          result = await engine.page({
            route,
            credentials: handle,
            principal: describePrincipal(caller),
            ...(await params(req, caller)),
          });
        } finally {
          credentials.release(handle);
        }
        send(res, result, { noStore: true });
      })().catch(next);
    };

  const server = (req: Request) => {
    const value = req.query.server;
    return { server: typeof value === 'string' && value !== '' ? value : undefined };
  };

  router.get(`${PAGE_API_PATH}/servers`, answer('servers'));
  router.get(`${PAGE_API_PATH}/tools`, answer('tools', server));
  router.get(`${PAGE_API_PATH}/tasks`, answer('tasks'));
  const query = (req: Request, name: string) => {
    const value = req.query[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  router.get(
    `${PAGE_API_PATH}/usage`,
    answer('usage', async (req, caller) => {
      // Asked for your own usage too: the answer says whether the page may offer everyone's.
      const [decision] = await permissions.authorize([{ permission: usageReadPermission }], {
        credentials: caller,
      });
      return {
        ...server(req),
        scope: query(req, 'scope'),
        format: query(req, 'format'),
        period: query(req, 'period'),
        tool: query(req, 'tool'),
        filterPrincipal: query(req, 'principal'),
        mayReadAll: decision.result === 'ALLOW',
      };
    }),
  );
  router.post(
    `${PAGE_API_PATH}/tasks/:taskId/cancel`,
    express.json({ limit: 1024 }),
    answer('cancel', req => ({ taskId: req.params.taskId })),
  );
  // Confirmations (mcpActions.confirm): the caller's pending ones, and their answer.
  router.get(`${PAGE_API_PATH}/confirmations`, answer('confirmations'));
  for (const decision of ['confirm', 'decline'] as const) {
    router.post(
      `${PAGE_API_PATH}/confirmations/:confirmationId/${decision}`,
      express.json({ limit: 1024 }),
      answer(decision, req => ({ taskId: req.params.confirmationId })),
    );
  }
  return router;
}
