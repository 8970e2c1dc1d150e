/** What `GET /api/mcp-actions/ui/v1/servers` answers. */
export interface ServersResponse {
  /** The backend plugin's external base URL, e.g. `https://backstage.example.com/api/mcp-actions`. */
  baseUrl: string;
  /** Every MCP revision the servers speak, newest first. */
  protocolVersions: string[];
  auth: {
    /** The auth backend lets MCP clients log in (client ID metadata documents or static clients). */
    oauth: boolean;
    /** Static tokens are configured under `backend.auth.externalAccess`. */
    staticTokens: boolean;
  };
  tasks: { enabled: boolean };
  servers: McpServer[];
}

/** One MCP server: `/v1` (key `null`) or `/v1/{key}`. */
export interface McpServer {
  key: string | null;
  name: string;
  description?: string | null;
  url: string;
  toolDiscovery: 'all' | 'search';
  /** `streamable-http`, and `sse` when the legacy transport is on. */
  transports: string[];
  /** Tools the signed-in user sees on this server. */
  toolCount?: number | null;
  /** Why the tools could not be counted. */
  error?: string | null;
}

/** An MCP tool, as `tools/list` gives it to the signed-in user. */
export interface McpTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: JsonSchema;
  annotations?: {
    title?: string;
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
}

/** A JSON Schema, as far as the page reads it. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  [key: string]: unknown;
}

export interface ToolsResponse {
  server: { key: string | null; name: string; url: string };
  tools: McpTool[];
}

/** One of the signed-in user's MCP tasks. */
export interface McpTask {
  taskId: string;
  tool?: string | null;
  status: 'working' | 'completed' | 'failed' | 'cancelled';
  statusMessage?: string | null;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number;
}

export interface TasksResponse {
  enabled: boolean;
  tasks: McpTask[];
}

/**
 * What `GET /api/mcp-actions/v1/elicitations/{elicitationId}` answers: a tool call of the
 * signed-in user waits for secrets (credentials) that its action needs.
 */
export interface ElicitationResponse {
  elicitationId: string;
  /** The Backstage action the tool runs. */
  action: { id: string; title?: string | null; description?: string | null };
  /** The MCP tool name. */
  tool: string;
  /** The MCP client's name, when it gave one. */
  client?: string | null;
  /** An object schema: one property per secret. */
  secretsSchema: JsonSchema;
  /** To echo in the POST of the secrets. */
  csrfToken: string;
  expiresAt: string;
}
