import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ConfirmationsResponse,
  ElicitationResponse,
  PendingConfirmation,
  McpTask,
  ServersResponse,
  TasksResponse,
  ToolsResponse,
  UsageQuery,
  UsageReport,
} from './types';

/** The backend plugin's JSON API for this page, as the signed-in user. */
export interface McpActionsApi {
  getServers(): Promise<ServersResponse>;
  /** The tools of `/v1` (`key` null) or of `/v1/{key}`. */
  getTools(key: string | null): Promise<ToolsResponse>;
  getTasks(): Promise<TasksResponse>;
  cancelTask(taskId: string): Promise<McpTask>;
  /** The usage report: the user's own, or everyone's with `mcp-actions.usage.read`. */
  getUsage(query: UsageQuery): Promise<UsageReport>;
  /** The same usage as CSV (one line per minute, server, tool, principal, client, outcome). */
  getUsageCsv(query: UsageQuery): Promise<Blob>;
  /** The signed-in user's tool calls waiting for their confirmation. */
  getConfirmations(): Promise<ConfirmationsResponse>;
  /** Confirm (the same call then runs when the client calls again) or decline one. */
  decideConfirmation(id: string, decision: 'confirm' | 'decline'): Promise<PendingConfirmation>;
  /** A pending request for secrets (`GET /v1/elicitations/{id}`), for the secrets page. */
  getElicitation(elicitationId: string): Promise<ElicitationResponse>;
  /**
   * Answers a request for secrets (`POST /v1/elicitations/{id}/secrets`), with the CSRF token
   * the GET gave. The values go in the body only and are never logged.
   */
  submitSecrets(
    elicitationId: string,
    csrfToken: string,
    secrets: Record<string, string>,
  ): Promise<{ ok: true }>;
}

export const mcpActionsApiRef = createApiRef<McpActionsApi>().with({
  id: 'plugin.mcp-actions.api',
  pluginId: 'mcp-actions',
});

/** {@link McpActionsApi} over `fetch`, with the user's Backstage token (FetchApi). */
export class McpActionsClient implements McpActionsApi {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  /** `path` is under the plugin's base URL, e.g. `/ui/v1/servers`. */
  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('mcp-actions');
    const response = await this.deps.fetchApi.fetch(`${base}${path}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }

  private static usagePath(query: UsageQuery, format: 'json' | 'csv') {
    const params = new URLSearchParams({ scope: query.scope, period: query.period, format });
    if (query.server) params.set('server', query.server);
    if (query.tool) params.set('tool', query.tool);
    if (query.principal && query.scope === 'all') params.set('principal', query.principal);
    return `/ui/v1/usage?${params}`;
  }

  /** The page's own API, under `/ui/v1`. */
  private call<T>(path: string, init?: RequestInit): Promise<T> {
    return this.request<T>(`/ui/v1${path}`, init);
  }

  getServers() {
    return this.call<ServersResponse>('/servers');
  }

  getTools(key: string | null) {
    return this.call<ToolsResponse>(key ? `/tools?server=${encodeURIComponent(key)}` : '/tools');
  }

  getTasks() {
    return this.call<TasksResponse>('/tasks');
  }

  async cancelTask(taskId: string) {
    const { task } = await this.call<{ task: McpTask }>(
      `/tasks/${encodeURIComponent(taskId)}/cancel`,
      { method: 'POST' },
    );
    return task;
  }

  getConfirmations() {
    return this.call<ConfirmationsResponse>('/confirmations');
  }

  async decideConfirmation(id: string, decision: 'confirm' | 'decline') {
    const { confirmation } = await this.call<{ confirmation: PendingConfirmation }>(
      `/confirmations/${encodeURIComponent(id)}/${decision}`,
      { method: 'POST' },
    );
    return confirmation;
  }

  getUsage(query: UsageQuery) {
    return this.request<UsageReport>(McpActionsClient.usagePath(query, 'json'));
  }

  async getUsageCsv(query: UsageQuery) {
    const base = await this.deps.discoveryApi.getBaseUrl('mcp-actions');
    const path = McpActionsClient.usagePath(query, 'csv');
    const response = await this.deps.fetchApi.fetch(`${base}${path}`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.blob();
  }

  getElicitation(elicitationId: string) {
    return this.request<ElicitationResponse>(
      `/v1/elicitations/${encodeURIComponent(elicitationId)}`,
    );
  }

  submitSecrets(elicitationId: string, csrfToken: string, secrets: Record<string, string>) {
    return this.request<{ ok: true }>(
      `/v1/elicitations/${encodeURIComponent(elicitationId)}/secrets`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ csrfToken, secrets }),
      },
    );
  }
}
