import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { mcpActionsApiRef, type McpActionsApi } from '../../api/McpActionsClient';
import type { ServersResponse, UsageNumbers, UsageQuery, UsageReport } from '../../api/types';
import { UsagePanel } from './UsagePanel';
import { p95, percent, pointLabel } from './format';

const numbers = (calls: number, extra: Partial<UsageNumbers['byOutcome']> = {}): UsageNumbers => {
  const byOutcome = {
    success: calls,
    tool_error: 0,
    protocol_error: 0,
    rate_limited: 0,
    read_only: 0,
    permission: 0,
    secrets_missing: 0,
    unconfirmed: 0,
    ...extra,
  };
  const total = Object.values(byOutcome).reduce((a, b) => a + b, 0);
  const errors = byOutcome.tool_error + byOutcome.protocol_error;
  return {
    calls: total,
    byOutcome,
    errorRate: total ? errors / total : 0,
    p95Ms: total ? 25 : null,
    avgMs: total ? 12 : 0,
    resultBytes: 100 * total,
  };
};

const servers: ServersResponse = {
  baseUrl: 'https://backstage.example.com/api/mcp-actions',
  protocolVersions: ['2026-07-28'],
  auth: { oauth: true, staticTokens: false },
  tasks: { enabled: true },
  servers: [
    { key: null, name: 'Backstage', url: 'https://backstage.example.com/api/mcp-actions/v1', toolDiscovery: 'all', transports: ['streamable-http'] },
    { key: 'incidents', name: 'Incidents', url: 'https://backstage.example.com/api/mcp-actions/v1/incidents', toolDiscovery: 'all', transports: ['streamable-http'] },
  ],
};

function reportOf(query: UsageQuery, mayReadAll: boolean, empty = false): UsageReport {
  const all = query.scope === 'all';
  const echo = numbers(all ? 9 : 5, { tool_error: 1, rate_limited: all ? 3 : 0 });
  const del = numbers(2, { permission: 1 });
  const tools = empty
    ? []
    : [
        { ...echo, tool: 'testing.echo', server: null, lastSeen: '2026-12-02T10:05:00.000Z' },
        { ...del, tool: 'catalog.unregister-entity', server: 'incidents', lastSeen: '2026-12-02T09:00:00.000Z' },
      ].filter(t => !query.tool || t.tool === query.tool);
  const totals = empty ? numbers(0) : tools.reduce((acc, t) => add(acc, t), numbers(0));
  return {
    scope: query.scope,
    period: query.period,
    since: '2026-12-01T11:00:00.000Z',
    stepMs: 3_600_000,
    enabled: true,
    mayReadAll,
    totals,
    series: Array.from({ length: 24 }, (_, i) => ({
      ...(i === 23 ? totals : numbers(0)),
      start: new Date(Date.parse('2026-12-01T11:00:00.000Z') + i * 3_600_000).toISOString(),
    })),
    tools,
    clients: empty ? [] : [{ ...totals, client: 'claude-code', version: '2.1.0', lastSeen: '2026-12-02T10:05:00.000Z' }],
    principals: all && !empty ? [
      { ...numbers(6), principal: 'user:default/jane', lastSeen: '2026-12-02T10:05:00.000Z' },
      { ...numbers(5, { rate_limited: 3 }), principal: 'service:ci-bot', lastSeen: '2026-12-02T10:00:00.000Z' },
    ] : undefined,
    limits: all ? [] : [{ rule: 'destructive-per-user', tool: 'catalog.*', server: null, limit: 30, window: '1m', remaining: 28 }],
  };
}

function add(a: UsageNumbers, b: UsageNumbers): UsageNumbers {
  const byOutcome = { ...a.byOutcome };
  for (const [k, v] of Object.entries(b.byOutcome)) byOutcome[k as keyof typeof byOutcome] += v;
  const calls = a.calls + b.calls;
  const errors = byOutcome.tool_error + byOutcome.protocol_error;
  return { ...a, calls, byOutcome, errorRate: calls ? errors / calls : 0, p95Ms: 25 };
}

function fakeApi(overrides: Partial<McpActionsApi> = {}, mayReadAll = true) {
  return {
    getServers: jest.fn(),
    getTools: jest.fn(),
    getTasks: jest.fn(),
    cancelTask: jest.fn(),
    getElicitation: jest.fn(),
    submitSecrets: jest.fn(),
    getUsage: jest.fn(async (q: UsageQuery) => reportOf(q, mayReadAll)),
    getUsageCsv: jest.fn(async () => new Blob(['minute,server\r\n'], { type: 'text/csv' })),
    getConfirmations: jest.fn(),
    decideConfirmation: jest.fn(),
    ...overrides,
  } as jest.Mocked<McpActionsApi>;
}

const renderUsage = (api: McpActionsApi) =>
  render(
    <TestApiProvider apis={[[mcpActionsApiRef, api]]}>
      <UsagePanel servers={servers} />
    </TestApiProvider>,
  );

/** Opens the Select labelled `label` and picks `option`. */
async function choose(label: string, option: string) {
  const user = userEvent.setup();
  const trigger = screen.getAllByRole('button').find(b => b.getAttribute('aria-labelledby')?.split(' ').some(id => document.getElementById(id)?.textContent === label));
  if (!trigger) throw new Error(`no Select labelled ${label}`);
  await user.click(trigger);
  await user.click(await screen.findByRole('option', { name: option }));
}

// jsdom has no ResizeObserver, so Recharts' ResponsiveContainer keeps its first size
// (initialDimension) and the charts render their SVG here as in a browser.
const stat = (label: string) => document.querySelector(`[data-stat="${label}"]`)?.textContent;
const rowsOf = (table: string) =>
  within(screen.getByRole('table', { name: table }))
    .getAllByRole('row')
    .slice(1)
    .map(r => within(r).getAllByRole('cell').map(c => c.textContent));

describe('usage formats', () => {
  it('say rates, p95 bounds and point labels plainly', () => {
    expect(percent(0)).toBe('0 %');
    expect(percent(0.0004)).toBe('< 0.1 %');
    expect(percent(0.125)).toBe('13 %');
    expect(percent(0.05)).toBe('5.0 %');
    expect(p95(numbers(3))).toBe('≤ 25 ms');
    expect(p95({ ...numbers(3), p95Ms: 2500 })).toBe('≤ 2.5 s');
    expect(p95({ ...numbers(3), p95Ms: null })).toBe('> 60 s');
    expect(p95(numbers(0))).toBe('–');
    expect(pointLabel('2026-12-02T10:00:00.000Z', '30d')).toMatch(/Dec/);
  });
});

describe('UsagePanel', () => {
  it('shows the user their own calls, limits and clients, with charts', async () => {
    const api = fakeApi({}, false);
    const { container } = renderUsage(api);
    expect(screen.getByRole('status', { name: 'Loading the usage' })).toBeInTheDocument();
    await screen.findByRole('table', { name: 'Usage by tool' });
    expect(api.getUsage).toHaveBeenCalledWith({ scope: 'mine', period: '24h', server: undefined, tool: undefined, principal: undefined });
    expect(stat('Calls')).toBe('9');
    expect(stat('Error rate')).toBe('11 %');
    expect(stat('Rate limited')).toBe('0');
    expect(stat('Other refusals')).toBe('1');
    expect(rowsOf('Your rate limits')).toEqual([['destructive-per-user', 'catalog.*', 'all', '30 calls / 1m', '28 of 30']]);
    expect(rowsOf('Usage by tool').map(r => r.slice(0, 6))).toEqual([
      ['testing.echo', '/v1', '6', '17 %', '0', '0'],
      ['catalog.unregister-entity', 'incidents', '3', '0 %', '0', '1'],
    ]);
    expect(rowsOf('Your clients')[0].slice(0, 3)).toEqual(['claude-code', '2.1.0', '9']);
    // Real Recharts charts: the series stacked by the outcomes that happened, the top tools.
    const series = container.querySelector('[data-chart="series"]')!;
    expect(series).toHaveAccessibleName('Calls over time, by outcome');
    expect(series.querySelector('svg.recharts-surface')).not.toBeNull();
    expect(Array.from(series.querySelectorAll('.recharts-legend-item-text')).map(e => e.textContent)).toEqual([
      'Success',
      'Tool error',
      'Permission denied',
    ]);
    expect(container.querySelector('[data-chart="tools"] svg.recharts-surface')).not.toBeNull();
    // Not permitted: no choice of whose calls, no principals.
    expect(screen.queryByText('Whose calls')).not.toBeInTheDocument();
    expect(container.querySelector('[data-chart="principals"]')).toBeNull();
  });

  it('shows everyone’s to a permitted person, with filters that ask the API', async () => {
    const api = fakeApi();
    const { container } = renderUsage(api);
    await screen.findByRole('table', { name: 'Usage by tool' });
    await choose('Whose calls', 'Everyone');
    await screen.findByRole('table', { name: 'Usage by principal' });
    expect(api.getUsage).toHaveBeenLastCalledWith(expect.objectContaining({ scope: 'all' }));
    expect(rowsOf('Usage by principal').map(r => r.slice(0, 4))).toEqual([
      ['user:default/jane', '6', '0 %', '0'],
      ['service:ci-bot', '8', '0 %', '3'],
    ]);
    expect(stat('Rate limited')).toBe('3');
    expect(container.querySelector('[data-chart="principals"] svg.recharts-surface')).not.toBeNull();
    expect(container.querySelector('[data-chart="clients"] svg.recharts-surface')).not.toBeNull();

    await choose('Period', 'Last 7 days');
    await choose('Server', 'Incidents');
    await choose('Tool', 'testing.echo');
    await choose('Principal', 'service:ci-bot');
    await waitFor(() =>
      expect(api.getUsage).toHaveBeenLastCalledWith({
        scope: 'all',
        period: '7d',
        server: 'incidents',
        tool: 'testing.echo',
        principal: 'service:ci-bot',
      }),
    );
    await waitFor(() => expect(rowsOf('Usage by tool')).toHaveLength(1));
    // The default server is asked for as /v1; other tools stay offered once one is chosen.
    await choose('Server', 'Backstage');
    await waitFor(() => expect(api.getUsage).toHaveBeenLastCalledWith(expect.objectContaining({ server: '/v1' })));
    await choose('Tool', 'catalog.unregister-entity');
    await waitFor(() => expect(api.getUsage).toHaveBeenLastCalledWith(expect.objectContaining({ tool: 'catalog.unregister-entity' })));
   }, 30_000);

  it('downloads the CSV of what is shown', async () => {
    const api = fakeApi();
    const created = jest.fn(() => 'blob:usage');
    const revoked = jest.fn();
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: revoked });
    const clicked: string[] = [];
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    renderUsage(api);
    await screen.findByRole('table', { name: 'Usage by tool' });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(clicked).toEqual(['mcp-actions-usage-mine-24h.csv']));
    expect(api.getUsageCsv).toHaveBeenCalledWith(expect.objectContaining({ scope: 'mine', period: '24h' }));
    expect(created).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(revoked).toHaveBeenCalledWith('blob:usage'));
    click.mockRestore();
  });

  it('says why a download failed', async () => {
    const api = fakeApi({ getUsageCsv: jest.fn(async () => { throw new Error('The backend is restarting'); }) });
    renderUsage(api);
    await screen.findByRole('table', { name: 'Usage by tool' });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(await screen.findByText('Could not download the usage')).toBeInTheDocument();
    expect(screen.getByText('The backend is restarting')).toBeInTheDocument();
  });

  it('has an empty state that still shows the limits', async () => {
    const api = fakeApi({ getUsage: jest.fn(async (q: UsageQuery) => reportOf(q, false, true)) });
    const { container } = renderUsage(api);
    expect(await screen.findByText('You made no tool calls in the last 24 hours')).toBeInTheDocument();
    expect(rowsOf('Your rate limits')).toHaveLength(1);
    expect(container.querySelector('[data-chart]')).toBeNull();
  });

  it('has an error state with a retry, and keeps the way back to one’s own', async () => {
    let fail = true;
    const api = fakeApi({
      getUsage: jest.fn(async (q: UsageQuery) => {
        if (q.scope === 'all' && fail) throw new Error("Seeing everyone's usage needs the permission mcp-actions.usage.read");
        return reportOf(q, true);
      }),
    });
    renderUsage(api);
    await screen.findByRole('table', { name: 'Usage by tool' });
    await choose('Whose calls', 'Everyone');
    expect(await screen.findByText('Could not load the usage')).toBeInTheDocument();
    expect(screen.getByText(/needs the permission mcp-actions.usage.read/)).toBeInTheDocument();
    fail = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('table', { name: 'Usage by principal' });
    await choose('Whose calls', 'Only mine');
    await screen.findByRole('table', { name: 'Your rate limits' });
  });

  it('says when usage is off', async () => {
    const api = fakeApi({ getUsage: jest.fn(async (q: UsageQuery) => ({ ...reportOf(q, false), enabled: false })) });
    renderUsage(api);
    expect(await screen.findByText('Usage is not recorded on this Backstage')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Download CSV' })).not.toBeInTheDocument();
  });
});
