import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { mcpActionsApiRef, type McpActionsApi } from '../api/McpActionsClient';
import type { McpTask, TasksResponse } from '../api/types';
import { formatDuration, TaskList } from './TaskList';

const working: McpTask = {
  taskId: 'task-1',
  tool: 'catalog.refresh-entity',
  status: 'working',
  statusMessage: 'Refreshing',
  createdAt: '2025-01-01T10:00:00.000Z',
  lastUpdatedAt: '2025-01-01T10:00:01.000Z',
  ttlMs: 60000,
};
const completed: McpTask = {
  taskId: 'task-2',
  tool: 'scaffolder.run-template',
  status: 'completed',
  statusMessage: 'Done',
  createdAt: '2025-01-01T09:00:00.000Z',
  lastUpdatedAt: '2025-01-01T09:02:05.000Z',
  ttlMs: 60000,
};

const tasksOf = (...tasks: McpTask[]): TasksResponse => ({ enabled: true, tasks });

function fakeApi(overrides: Partial<McpActionsApi> = {}) {
  return {
    getServers: jest.fn(),
    getTools: jest.fn(),
    getTasks: jest.fn(async () => tasksOf()),
    cancelTask: jest.fn(async (id: string) => ({ ...working, taskId: id, status: 'cancelled' })),
    getElicitation: jest.fn(),
    submitSecrets: jest.fn(),
    getUsage: jest.fn(),
    getUsageCsv: jest.fn(),
    getConfirmations: jest.fn(async () => ({ enabled: false, confirmations: [] })),
    decideConfirmation: jest.fn(),
    ...overrides,
  } as jest.Mocked<McpActionsApi>;
}

function renderTasks(api: McpActionsApi, enabled = true) {
  return render(
    <TestApiProvider apis={[[mcpActionsApiRef, api]]}>
      <TaskList enabled={enabled} />
    </TestApiProvider>,
  );
}

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(125000)).toBe('2 min 5 s');
    expect(formatDuration(42000)).toBe('42 s');
    expect(formatDuration(2 * 3600000 + 5 * 60000)).toBe('2 h 5 min');
    expect(formatDuration(-10)).toBe('0.0 s');
  });
});

describe('TaskList', () => {
  it('says when tasks are off', () => {
    const api = fakeApi({ getTasks: jest.fn(() => new Promise<never>(() => {})) });
    renderTasks(api, false);
    expect(screen.getByText('MCP tasks are off on this Backstage')).toBeInTheDocument();
    // Nothing is asked of the backend for a feature that is off.
    expect(api.getTasks).not.toHaveBeenCalled();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows a loading status, then "You have no MCP tasks"', async () => {
    const api = fakeApi();
    renderTasks(api);
    expect(screen.getByRole('status', { name: 'Loading your tasks' })).toBeInTheDocument();
    expect(await screen.findByText('You have no MCP tasks')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('lists the tasks, with Cancel only on a working one', async () => {
    const api = fakeApi({ getTasks: jest.fn(async () => tasksOf(working, completed)) });
    renderTasks(api);
    const table = await screen.findByRole('table', { name: 'Your MCP tasks' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('catalog.refresh-entity')).toBeInTheDocument();
    expect(within(rows[0]).getByText('working')).toBeInTheDocument();
    expect(within(rows[0]).getByText('Refreshing')).toBeInTheDocument();
    expect(within(rows[1]).getByText('scaffolder.run-template')).toBeInTheDocument();
    expect(within(rows[1]).getByText('completed')).toBeInTheDocument();
    expect(within(rows[1]).getByText('2 min 5 s')).toBeInTheDocument();

    expect(screen.getAllByRole('button', { name: /^Cancel the task of / })).toHaveLength(1);
    const cancel = within(rows[0]).getByRole('button', {
      name: 'Cancel the task of catalog.refresh-entity',
    });
    expect(cancel).toHaveTextContent('Cancel');
    expect(within(rows[1]).queryByRole('button')).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Cancel the task of scaffolder.run-template' }),
    ).not.toBeInTheDocument();
  });

  it('Cancel calls cancelTask and reloads the list', async () => {
    const api = fakeApi({
      getTasks: jest
        .fn()
        .mockResolvedValueOnce(tasksOf(working))
        .mockResolvedValue(tasksOf({ ...working, status: 'cancelled' })),
    });
    renderTasks(api);
    const cancel = await screen.findByRole('button', {
      name: 'Cancel the task of catalog.refresh-entity',
    });
    expect(api.getTasks).toHaveBeenCalledTimes(1);

    await userEvent.click(cancel);
    expect(api.cancelTask).toHaveBeenCalledTimes(1);
    expect(api.cancelTask).toHaveBeenCalledWith('task-1');
    await waitFor(() => expect(api.getTasks).toHaveBeenCalledTimes(2));
    expect(await screen.findByText('cancelled')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Cancel the task of / })).not.toBeInTheDocument();
    expect(screen.queryByText('Could not cancel the task')).not.toBeInTheDocument();
  });

  it('names a task without a tool by its id', async () => {
    const api = fakeApi({ getTasks: jest.fn(async () => tasksOf({ ...working, tool: null })) });
    renderTasks(api);
    expect(
      await screen.findByRole('button', { name: 'Cancel the task of task-1' }),
    ).toBeInTheDocument();
    expect(screen.getByText('unknown')).toBeInTheDocument();
  });

  it('says when a cancel fails', async () => {
    const api = fakeApi({
      getTasks: jest.fn(async () => tasksOf(working)),
      cancelTask: jest.fn(() => Promise.reject(new Error('task already finished'))),
    });
    renderTasks(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancel the task of catalog.refresh-entity' }),
    );
    expect(api.cancelTask).toHaveBeenCalledWith('task-1');
    expect(await screen.findByText('Could not cancel the task')).toBeInTheDocument();
    expect(screen.getByText('task already finished')).toBeInTheDocument();
    await waitFor(() => expect(api.getTasks).toHaveBeenCalledTimes(2));
    expect(screen.getByRole('table', { name: 'Your MCP tasks' })).toBeInTheDocument();
  });

  it('says when the tasks cannot be loaded, and Try again loads them', async () => {
    const api = fakeApi({
      getTasks: jest
        .fn()
        .mockRejectedValueOnce(new Error('database is down'))
        .mockResolvedValueOnce(tasksOf()),
    });
    renderTasks(api);
    expect(await screen.findByText('Could not load your tasks')).toBeInTheDocument();
    expect(screen.getByText('database is down')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('You have no MCP tasks')).toBeInTheDocument();
    expect(api.getTasks).toHaveBeenCalledTimes(2);
  });

  it('Refresh loads the tasks again', async () => {
    const api = fakeApi({
      getTasks: jest
        .fn()
        .mockResolvedValueOnce(tasksOf())
        .mockResolvedValueOnce(tasksOf(completed)),
    });
    renderTasks(api);
    await screen.findByText('You have no MCP tasks');
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByText('scaffolder.run-template')).toBeInTheDocument();
    expect(screen.queryByText('You have no MCP tasks')).not.toBeInTheDocument();
  });
});
