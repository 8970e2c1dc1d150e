import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { mcpActionsApiRef, type McpActionsApi } from '../api/McpActionsClient';
import type { McpTool, ServersResponse, ToolsResponse } from '../api/types';
import { ServerList } from './ServerList';

const data: ServersResponse = {
  baseUrl: 'https://backstage.example.com/api/mcp-actions',
  protocolVersions: ['2025-06-18'],
  auth: { oauth: true, staticTokens: false },
  tasks: { enabled: false },
  servers: [
    {
      key: null,
      name: 'All actions',
      url: 'https://backstage.example.com/api/mcp-actions/v1',
      toolDiscovery: 'all',
      transports: ['streamable-http'],
      toolCount: 13,
    },
    {
      key: 'catalog',
      name: 'Catalog',
      url: 'https://backstage.example.com/api/mcp-actions/v1/catalog',
      toolDiscovery: 'all',
      transports: ['streamable-http'],
      toolCount: 5,
    },
  ],
};

const tools: McpTool[] = [
  {
    name: 'catalog.get-entity',
    title: 'Get a catalog entity',
    description: 'Reads one entity by its reference.',
    annotations: { readOnlyHint: true },
    inputSchema: {
      type: 'object',
      properties: {
        entityRef: { type: 'string', description: 'The entity reference' },
        fields: { type: 'array', items: { type: 'string' }, description: 'Fields to return' },
      },
      required: ['entityRef'],
    },
  },
  {
    name: 'catalog.unregister-location',
    annotations: { title: 'Unregister a location', destructiveHint: true },
    description: 'Removes a location and its entities.',
    inputSchema: {
      type: 'object',
      properties: { locationId: { type: 'string', description: 'The location id' } },
      required: ['locationId'],
    },
  },
  { name: 'scaffolder.list-templates', description: 'Lists the templates.' },
];

function fakeApi(getTools: McpActionsApi['getTools']) {
  return {
    getServers: jest.fn(),
    getTools: jest.fn(getTools),
    getTasks: jest.fn(),
    cancelTask: jest.fn(),
    getElicitation: jest.fn(),
    submitSecrets: jest.fn(),
    getUsage: jest.fn(),
    getUsageCsv: jest.fn(),
    getConfirmations: jest.fn(async () => ({ enabled: false, confirmations: [] })),
    decideConfirmation: jest.fn(),
  } as jest.Mocked<McpActionsApi>;
}

const response = (list: McpTool[]): ToolsResponse => ({
  server: { key: 'catalog', name: 'Catalog', url: data.servers[1].url },
  tools: list,
});

async function openCatalog(api: McpActionsApi) {
  render(
    <TestApiProvider apis={[[mcpActionsApiRef, api]]}>
      <ServerList data={data} />
    </TestApiProvider>,
  );
  await userEvent.click(screen.getByRole('button', { name: 'Show tools of Catalog' }));
}

const toolHeadings = () => screen.queryAllByRole('heading', { level: 4 }).map(h => h.textContent);

describe('ToolList', () => {
  it('shows the tools of the opened server with their names and badges', async () => {
    const api = fakeApi(async () => response(tools));
    await openCatalog(api);
    expect(api.getTools).toHaveBeenCalledTimes(1);
    expect(api.getTools).toHaveBeenCalledWith('catalog');
    expect(await screen.findByText('3 tools')).toBeInTheDocument();
    expect(toolHeadings()).toEqual([
      'Get a catalog entity',
      'Unregister a location',
      'scaffolder.list-templates',
    ]);
    expect(screen.getByText('catalog.get-entity')).toBeInTheDocument();
    expect(screen.getByText('catalog.unregister-location')).toBeInTheDocument();
    expect(screen.getAllByText('read-only')).toHaveLength(1);
    expect(screen.getAllByText('destructive')).toHaveLength(1);
    expect(screen.queryByText('idempotent')).not.toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: 'Show inputs' })).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Hide tools' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    // The other server stays closed.
    expect(screen.getByRole('button', { name: 'Show tools of All actions' })).toBeInTheDocument();
  });

  it('"Show inputs" reveals the input schema as a table', async () => {
    const api = fakeApi(async () => response(tools));
    await openCatalog(api);
    await screen.findByText('3 tools');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();

    await userEvent.click(screen.getAllByRole('button', { name: 'Show inputs' })[0]);
    const table = screen.getByRole('table', { name: 'Inputs of catalog.get-entity' });
    const rows = within(table)
      .getAllByRole('row')
      .map(row => within(row).queryAllByRole('cell').map(c => c.textContent));
    expect(rows).toEqual([
      [],
      ['entityRef', 'string', 'yes', 'The entity reference'],
      ['fields', 'string[]', 'no', 'Fields to return'],
    ]);
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(c => c.textContent),
    ).toEqual(['Input', 'Type', 'Required', 'Description']);
    expect(screen.getByRole('button', { name: 'Hide inputs' })).toBeInTheDocument();
    expect(screen.getAllByRole('table')).toHaveLength(1);

    await userEvent.click(screen.getByRole('button', { name: 'Hide inputs' }));
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('a tool without inputs says so', async () => {
    const api = fakeApi(async () => response(tools));
    await openCatalog(api);
    await screen.findByText('3 tools');
    await userEvent.click(screen.getAllByRole('button', { name: 'Show inputs' })[2]);
    expect(screen.getByText('Takes no input.')).toBeInTheDocument();
  });

  it('the filter box narrows the list', async () => {
    const api = fakeApi(async () => response(tools));
    await openCatalog(api);
    await screen.findByText('3 tools');
    const filter = screen.getByRole('searchbox', { name: 'Filter tools' });

    await userEvent.type(filter, 'catalog');
    expect(screen.getByText('2 of 3 tools match "catalog"')).toBeInTheDocument();
    expect(toolHeadings()).toEqual(['Get a catalog entity', 'Unregister a location']);

    await userEvent.clear(filter);
    await userEvent.type(filter, 'TEMPLATES');
    expect(screen.getByText('1 of 3 tools match "TEMPLATES"')).toBeInTheDocument();
    expect(toolHeadings()).toEqual(['scaffolder.list-templates']);

    await userEvent.clear(filter);
    expect(screen.getByText('3 tools')).toBeInTheDocument();
    expect(toolHeadings()).toHaveLength(3);
  });

  it('a filter without a match says so', async () => {
    const api = fakeApi(async () => response(tools));
    await openCatalog(api);
    await screen.findByText('3 tools');
    await userEvent.type(screen.getByRole('searchbox', { name: 'Filter tools' }), 'xyz');
    expect(screen.getByText('No tool matches "xyz"')).toBeInTheDocument();
    expect(screen.getByText('0 of 3 tools match "xyz"')).toBeInTheDocument();
    expect(toolHeadings()).toEqual([]);
  });

  it('an empty tool list says there are no tools for you', async () => {
    const api = fakeApi(async () => response([]));
    await openCatalog(api);
    expect(await screen.findByText('No tools for you on this server')).toBeInTheDocument();
    expect(screen.queryByRole('searchbox', { name: 'Filter tools' })).not.toBeInTheDocument();
  });

  it('an error says which server failed and offers Try again', async () => {
    const api = fakeApi(jest.fn());
    api.getTools
      .mockRejectedValueOnce(new Error('permission backend down'))
      .mockResolvedValueOnce(response(tools));
    await openCatalog(api);
    expect(await screen.findByText('Could not load the tools of Catalog')).toBeInTheDocument();
    expect(screen.getByText('permission backend down')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(api.getTools).toHaveBeenCalledTimes(2));
    expect(await screen.findByText('3 tools')).toBeInTheDocument();
    expect(screen.queryByText('Could not load the tools of Catalog')).not.toBeInTheDocument();
  });
});
