/**
 * The mcp-actions-rs frontend plugin: the MCP servers of this Backstage, the tools you see
 * on each, the exact setup for your AI client, and your MCP tasks, at `/mcp-actions`; and the
 * page where you provide the credentials a tool call asks for, at
 * `/mcp-actions/secrets/:elicitationId`.
 *
 * @packageDocumentation
 */
export { mcpActionsPlugin as default } from './plugin';
export { mcpActionsApiRef, McpActionsClient, type McpActionsApi } from './api/McpActionsClient';
export type * from './api/types';
export { clientSetups, type ClientSetup, type ConnectOptions } from './components/clients';
