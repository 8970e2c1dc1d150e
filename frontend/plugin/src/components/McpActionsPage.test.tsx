import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { MemoryRouter } from 'react-router-dom';
import { mcpActionsApiRef, type McpActionsApi } from '../api/McpActionsClient';
import type { ServersResponse } from '../api/types';
import { McpActionsPage } from './McpActionsPage';

const servers: ServersResponse = {
  baseUrl: 'https://backstage.example.com/api/mcp-actions',
  protocolVersions: ['2025-06-18', '2025-03-26'],
  auth: { oauth: true, staticTokens: false },
  tasks: { enabled: true },
  servers: [
    {
      key: null,
      name: 'All actions',
      description: 'Every action of this Backstage',
      url: 'https://backstage.example.com/api/mcp-actions/v1',
      toolDiscovery: 'all',
      transports: ['streamable-http'],
      toolCount: 13,
    },
    {
      key: 'catalog',
      name: 'Catalog',
      url: 'https://backstage.example.com/api/mcp-actions/v1/catalog',
      toolDiscovery: 'search',
      transports: ['streamable-http', 'sse'],
      toolCount: 1,
    },
  ],
};

function fakeApi(overrides: Partial<McpActionsApi> = {}) {
  return {
    getServers: jest.fn(async () => servers),
    getTools: jest.fn(async () => ({ server: servers.servers[0], tools: [] })),
    getTasks: jest.fn(async () => ({ enabled: true, tasks: [] })),
    cancelTask: jest.fn(),
    getElicitation: jest.fn(() => new Promise<never>(() => {})),
    submitSecrets: jest.fn(),
    getUsage: jest.fn(),
    getUsageCsv: jest.fn(),
    getConfirmations: jest.fn(async () => ({ enabled: false, confirmations: [] })),
    decideConfirmation: jest.fn(),
    ...overrides,
  } as jest.Mocked<McpActionsApi>;
}

function renderPage(api: McpActionsApi, path = '/') {
  return render(
    <TestApiProvider apis={[[mcpActionsApiRef, api]]}>
      <MemoryRouter
        initialEntries={[path]}
        future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
      >
        <McpActionsPage />
      </MemoryRouter>
    </TestApiProvider>,
  );
}

describe('McpActionsPage', () => {
  it('shows a loading status while the servers load', async () => {
    const api = fakeApi({ getServers: jest.fn(() => new Promise<never>(() => {})) });
    renderPage(api);
    const status = screen.getByRole('status', { name: 'Loading the MCP servers' });
    expect(status).toHaveAttribute('aria-busy', 'true');
    expect(api.getServers).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
  });

  it('shows the error with a Try again button that loads again', async () => {
    const api = fakeApi({
      getServers: jest
        .fn()
        .mockRejectedValueOnce(new Error('boom'))
        .mockResolvedValueOnce(servers),
    });
    renderPage(api);
    expect(await screen.findByText('Could not load the MCP servers')).toBeInTheDocument();
    expect(screen.getByText('boom')).toBeInTheDocument();
    expect(
      screen.queryByRole('status', { name: 'Loading the MCP servers' }),
    ).not.toBeInTheDocument();
    expect(api.getServers).toHaveBeenCalledTimes(1);

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(api.getServers).toHaveBeenCalledTimes(2));
    expect(await screen.findByText('All actions')).toBeInTheDocument();
    expect(screen.queryByText('Could not load the MCP servers')).not.toBeInTheDocument();
    expect(screen.queryByText('boom')).not.toBeInTheDocument();
  });

  it('shows "No MCP servers" when the backend serves none', async () => {
    const api = fakeApi({ getServers: jest.fn(async () => ({ ...servers, servers: [] })) });
    renderPage(api);
    expect(await screen.findByText('No MCP servers')).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
  });

  it('lists both servers with their URLs and tool counts', async () => {
    const api = fakeApi();
    renderPage(api);
    expect(await screen.findByRole('heading', { name: 'All actions' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Catalog' })).toBeInTheDocument();
    expect(
      screen.getByText('https://backstage.example.com/api/mcp-actions/v1'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('https://backstage.example.com/api/mcp-actions/v1/catalog'),
    ).toBeInTheDocument();
    expect(screen.getByText('13 tools')).toBeInTheDocument();
    expect(screen.getByText('1 tool')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show tools of All actions' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show tools of Catalog' })).toBeInTheDocument();
    // Two servers: none is opened on its own.
    expect(api.getTools).not.toHaveBeenCalled();

    const tabs = screen.getAllByRole('tab');
    expect(tabs.map(t => t.textContent)).toEqual([
      'Servers and tools',
      'Connect a client',
      'My tasks',
      'Usage',
    ]);
    expect(screen.getByRole('tab', { name: 'Servers and tools' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('switches to the "Connect a client" tab', async () => {
    const api = fakeApi();
    renderPage(api);
    await screen.findByRole('heading', { name: 'All actions' });
    expect(screen.queryByText('Claude Code')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: 'Connect a client' }));
    expect(screen.getByRole('tab', { name: 'Connect a client' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    const panel = screen.getByRole('tabpanel');
    expect(within(panel).getByRole('heading', { name: 'Claude Code' })).toBeInTheDocument();
    expect(
      within(panel).getByText('Your client logs in with your Backstage account'),
    ).toBeInTheDocument();
    expect(within(panel).queryByText('13 tools')).not.toBeInTheDocument();
  });

  it('switches to the "My tasks" tab and loads the tasks', async () => {
    const api = fakeApi();
    renderPage(api);
    await screen.findByRole('heading', { name: 'All actions' });
    expect(api.getTasks).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('tab', { name: 'My tasks' }));
    expect(screen.getByRole('tab', { name: 'My tasks' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    expect(await screen.findByText('You have no MCP tasks')).toBeInTheDocument();
    expect(api.getTasks).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('13 tools')).not.toBeInTheDocument();
  });

  it('at "/" renders the servers and asks nothing about secrets', async () => {
    const api = fakeApi();
    renderPage(api, '/');
    expect(await screen.findByRole('heading', { name: 'All actions' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Catalog' })).toBeInTheDocument();
    expect(screen.queryByText('Provide Credentials')).not.toBeInTheDocument();
    expect(api.getElicitation).not.toHaveBeenCalled();
  });

  it('at "/secrets/:elicitationId" renders the secrets page instead', async () => {
    const api = fakeApi();
    renderPage(api, '/secrets/abc');
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Provide Credentials' }),
    ).toBeInTheDocument();
    expect(api.getElicitation).toHaveBeenCalledWith('abc');
    expect(api.getServers).not.toHaveBeenCalled();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
  });
});
