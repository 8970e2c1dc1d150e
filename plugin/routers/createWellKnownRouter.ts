import type {
  DiscoveryService,
  LoggerService,
  RootHttpRouterService,
} from '@backstage/backend-plugin-api';
import { Router } from 'express';
import type { McpEngine } from '../../index';

/**
 * OAuth discovery for MCP clients, mounted on the root router when the auth backend offers
 * OAuth: RFC 9728 protected-resource metadata per MCP server (built by the engine), and the
 * auth backend's OpenID configuration as RFC 8414 authorization-server metadata.
 */
export function createWellKnownRouter(options: {
  engine: McpEngine;
  rootRouter: RootHttpRouterService;
  discovery: DiscoveryService;
  mcpBasePath: string;
  logger: LoggerService;
}): void {
  const { engine, rootRouter, discovery, mcpBasePath, logger } = options;

  const resource = Router();
  resource.get('/:server?', (req, res) => {
    const answer = engine.protectedResourceMetadata(req.params.server);
    res.status(answer.status).set(answer.headers).end(answer.body ?? undefined);
  });
  rootRouter.use(`/.well-known/oauth-protected-resource${mcpBasePath}/v1`, resource);

  rootRouter.use('/.well-known/oauth-authorization-server', async (_req, res) => {
    try {
      const authBaseUrl = await discovery.getBaseUrl('auth');
      const upstream = await fetch(`${authBaseUrl}/.well-known/openid-configuration`);
      if (!upstream.ok) {
        res.status(502).json({
          error: 'bad_gateway',
          error_description: `the auth backend answered ${upstream.status} for its OpenID configuration`,
        });
        return;
      }
      res.status(200).json(await upstream.json());
    } catch (error) {
      logger.warn(`Could not fetch the auth backend's OpenID configuration: ${error}`);
      res.status(502).json({
        error: 'bad_gateway',
        error_description: 'the auth backend could not be reached',
      });
    }
  });
}
