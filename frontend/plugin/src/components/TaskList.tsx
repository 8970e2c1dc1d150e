import { useState } from 'react';
import { Alert, Badge, Button, Flex, Text } from '@backstage/ui';
import { useApi } from '@backstage/frontend-plugin-api';
import { mcpActionsApiRef } from '../api/McpActionsClient';
import type { McpTask } from '../api/types';
import { Empty, ErrorState, Loading } from './States';
import { useLoad } from './useLoad';

/** `1.2 s`, `3 min 4 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function duration(task: McpTask, now: number): string {
  const start = Date.parse(task.createdAt);
  const end = task.status === 'working' ? now : Date.parse(task.lastUpdatedAt);
  return formatDuration(end - start);
}

/** The signed-in user's running and recent MCP tasks; a running one can be cancelled. */
export function TaskList({ enabled }: { enabled: boolean }) {
  const api = useApi(mcpActionsApiRef);
  const tasks = useLoad(() => api.getTasks(), [api], enabled);
  const [cancelling, setCancelling] = useState<string | undefined>();
  const [cancelError, setCancelError] = useState<Error | undefined>();
  if (!enabled) {
    return (
      <Empty
        title="MCP tasks are off on this Backstage"
        hint="Long tool calls run to the end inside their request. The platform team turns tasks on with mcpActions.tasks.enabled."
      />
    );
  }
  if (tasks.loading && !tasks.value) return <Loading label="Loading your tasks" />;
  if (tasks.error) {
    return (
      <ErrorState
        title="Could not load your tasks"
        error={tasks.error}
        hint="Tasks are kept in the plugin's database. Try again; if it persists, the platform team finds the cause in the backend log (plugin mcp-actions)."
        onRetry={tasks.reload}
      />
    );
  }
  const list = tasks.value?.tasks ?? [];
  const cancel = (id: string) => {
    setCancelling(id);
    setCancelError(undefined);
    api.cancelTask(id).then(
      () => {
        setCancelling(undefined);
        tasks.reload();
      },
      error => {
        setCancelling(undefined);
        setCancelError(error as Error);
        tasks.reload();
      },
    );
  };
  const now = Date.now();
  return (
    <Flex direction="column" gap="3">
      <Flex justify="between" align="center">
        <Text as="p" variant="body-small" color="secondary">
          A tool call that runs long becomes a task: your client polls it, and you can cancel it
          here. Tasks are kept until their time to live ends.
        </Text>
        <Button size="small" variant="secondary" onPress={tasks.reload}>
          Refresh
        </Button>
      </Flex>
      {cancelError && (
        <Alert status="danger" title="Could not cancel the task" description={cancelError.message} />
      )}
      {list.length === 0 ? (
        <Empty
          title="You have no MCP tasks"
          hint="Tasks appear here when a client that supports MCP Tasks (2026-07-28) makes a long tool call as you."
        />
      ) : (
        <table className="mcp-actions-tasks" aria-label="Your MCP tasks">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">State</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Status message</th>
              <th scope="col">
                <span className="mcp-actions-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map(task => (
              <tr key={task.taskId} data-task={task.taskId}>
                <td>
                  <code>{task.tool ?? 'unknown'}</code>
                </td>
                <td>
                  <Badge size="small">{task.status}</Badge>
                </td>
                <td>{new Date(task.createdAt).toLocaleString()}</td>
                <td>{duration(task, now)}</td>
                <td>{task.statusMessage ?? ''}</td>
                <td>
                  {task.status === 'working' && (
                    <Button
                      size="small"
                      variant="secondary"
                      destructive
                      isPending={cancelling === task.taskId}
                      onPress={() => cancel(task.taskId)}
                      aria-label={`Cancel the task of ${task.tool ?? task.taskId}`}
                    >
                      Cancel
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Flex>
  );
}
