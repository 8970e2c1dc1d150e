// Configuration schema of @mcp-actions-rs/plugin-mcp-actions-backend. Backstage validates
// app-config against it. The keys are those of @backstage/plugin-mcp-actions-backend, with
// the same meaning, so app-config written for the official plugin works unchanged.

export interface Config {
  mcpActions?: {
    /**
     * Name of the MCP server, reported as `serverInfo.name` in the initialize result.
     * @default backstage
     */
    name?: string;

    /**
     * Description of the MCP server, reported as `serverInfo.description`.
     */
    description?: string;

    /**
     * Instructions for the model, returned in the initialize result.
     */
    instructions?: string;

    /**
     * Whether tool names carry their plugin: `catalog.get-catalog-entity` (true) or
     * `get-catalog-entity` (false). With false, two plugins' actions of the same name
     * collide, and every tools/call needs the action list to find its action.
     * @default true
     */
    namespacedToolNames?: boolean;
  };
}
