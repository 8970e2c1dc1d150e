/**
 * Backstage backend plugin `mcp-actions`: every action of the Actions Registry as an MCP tool.
 * Drop-in for `@backstage/plugin-mcp-actions-backend`.
 *
 * @packageDocumentation
 */
export { mcpActionsPlugin as default } from './plugin';
export { usageReadPermission } from './permissions';
