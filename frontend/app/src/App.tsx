import { createApp } from '@backstage/frontend-defaults';
import authPlugin from '@backstage/plugin-auth';
import mcpActionsPlugin from '@mcp-actions-rs/plugin-mcp-actions';

/**
 * The demo's frontend: the guest sign-in (plugin-app's default), @backstage/plugin-auth's
 * consent page for MCP clients that log in, and this repository's page at /mcp-actions.
 */
export default createApp({
  features: [authPlugin, mcpActionsPlugin],
});
