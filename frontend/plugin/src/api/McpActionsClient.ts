import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { McpTask, ServersResponse, TasksResponse, ToolsResponse } from './types';

/** The backend plugin's JSON API for this page, as the signed-in user. */
export interface McpActionsApi {
  getServers(): Promise<ServersResponse>;
  /** The tools of `/v1` (`key` null) or of `/v1/{key}`. */
  getTools(key: string | null): Promise<ToolsResponse>;
  getTasks(): Promise<TasksResponse>;
  cancelTask(taskId: string): Promise<McpTask>;
}

export const mcpActionsApiRef = createApiRef<McpActionsApi>().with({
  id: 'plugin.mcp-actions.api',
  pluginId: 'mcp-actions',
});

/** {@link McpActionsApi} over `fetch`, with the user's Backstage token (FetchApi). */
export class McpActionsClient implements McpActionsApi {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('mcp-actions');
    const response = await this.deps.fetchApi.fetch(`${base}/ui/v1${path}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
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
}
