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

/** How a tool call ended, as the usage counts it. */
export type UsageOutcome =
  | 'success'
  | 'tool_error'
  | 'protocol_error'
  | 'rate_limited'
  | 'read_only'
  | 'permission'
  | 'secrets_missing'
  | 'unconfirmed';

/** The numbers of a group of calls (a point of the series, a tool, a principal, a client). */
export interface UsageNumbers {
  calls: number;
  byOutcome: Record<UsageOutcome, number>;
  /** Tool errors and protocol errors over calls (0..1). */
  errorRate: number;
  /** The upper bound of the duration bucket under which 95 % finished; null: no calls or over a minute. */
  p95Ms: number | null;
  avgMs: number;
  resultBytes: number;
}

export interface UsageToolRow extends UsageNumbers {
  tool: string;
  /** null: the default server `/v1`. */
  server: string | null;
  lastSeen: string;
}
export interface UsagePrincipalRow extends UsageNumbers {
  principal: string;
  lastSeen: string;
}
export interface UsageClientRow extends UsageNumbers {
  /** `(not given)` when the client sent no clientInfo. */
  client: string;
  version: string;
  lastSeen: string;
}

/** A rate-limit rule that counts the signed-in user, and what is left of it. */
export interface UsageLimit {
  rule: string;
  tool?: string | null;
  server?: string | null;
  limit: number;
  /** `30s`, `1m`, `1h`, `1d`. */
  window: string;
  remaining: number;
}

export type UsagePeriod = '24h' | '7d' | '30d';
export type UsageScope = 'mine' | 'all';

/** What the page asks of `GET /ui/v1/usage`. */
export interface UsageQuery {
  scope: UsageScope;
  period: UsagePeriod;
  /** A server key, or `/v1` for the default server. */
  server?: string;
  tool?: string;
  /** Everyone's usage only. */
  principal?: string;
}

/** What `GET /api/mcp-actions/ui/v1/usage` answers. */
export interface UsageReport {
  scope: UsageScope;
  period: UsagePeriod;
  since: string;
  stepMs: number;
  /** `mcpActions.usage.enabled`. */
  enabled: boolean;
  /** The signed-in user holds `mcp-actions.usage.read` (everyone's usage). */
  mayReadAll: boolean;
  totals: UsageNumbers;
  series: Array<UsageNumbers & { start: string }>;
  tools: UsageToolRow[];
  clients: UsageClientRow[];
  /** Everyone's usage only. */
  principals?: UsagePrincipalRow[];
  limits: UsageLimit[];
}

/** A tool call waiting for the signed-in user's confirmation (`mcpActions.confirm`). */
export interface PendingConfirmation {
  id: string;
  tool: string;
  /** null: the default server `/v1`. */
  server: string | null;
  actionTitle?: string | null;
  /** The question, in words a person can check. */
  question: string;
  /** The call's arguments as JSON text. */
  arguments: string;
  rule: string;
  client?: string | null;
  status: 'pending' | 'confirmed' | 'declined' | 'used';
  createdAt: string;
  expiresAt: string;
}

export interface ConfirmationsResponse {
  /** `mcpActions.confirm` has rules. */
  enabled: boolean;
  confirmations: PendingConfirmation[];
}
