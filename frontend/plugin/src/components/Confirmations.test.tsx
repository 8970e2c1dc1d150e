import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { mcpActionsApiRef, type McpActionsApi } from '../api/McpActionsClient';
import type { PendingConfirmation } from '../api/types';
import { Confirmations } from './Confirmations';

const restart: PendingConfirmation = {
  id: 'c1',
  tool: 'platform.restart-deployment',
  server: null,
  actionTitle: 'Restart deployment',
  question: 'Restart deployment (platform.restart-deployment) with environment "production", service "payments", as user:default/jane?',
  arguments: '{"environment":"production","service":"payments"}',
  rule: 'restarts',
  client: 'cursor',
  status: 'pending',
  createdAt: '2026-12-02T10:00:00.000Z',
  expiresAt: '2026-12-02T10:10:00.000Z',
};
const deletion: PendingConfirmation = { ...restart, id: 'c2', tool: 'catalog.unregister-entity', question: 'Unregister entity?', arguments: '{}' };

function fakeApi(overrides: Partial<McpActionsApi> = {}) {
  return {
    getServers: jest.fn(),
    getTools: jest.fn(),
    getTasks: jest.fn(),
    cancelTask: jest.fn(),
    getElicitation: jest.fn(),
    submitSecrets: jest.fn(),
    getUsage: jest.fn(),
    getUsageCsv: jest.fn(),
    getConfirmations: jest.fn(async () => ({ enabled: true, confirmations: [restart, deletion] })),
    decideConfirmation: jest.fn(async (id: string, decision: 'confirm' | 'decline') => ({
      ...(id === 'c1' ? restart : deletion),
      status: decision === 'confirm' ? ('confirmed' as const) : ('declined' as const),
    })),
    ...overrides,
  } as jest.Mocked<McpActionsApi>;
}

const renderIt = (api: McpActionsApi) =>
  render(
    <TestApiProvider apis={[[mcpActionsApiRef, api]]}>
      <Confirmations />
    </TestApiProvider>,
  );

describe('Confirmations', () => {
  it('lists the pending calls with their arguments; Confirm answers and says what happens next', async () => {
    const api = fakeApi();
    renderIt(api);
    const section = await screen.findByRole('region', { name: 'Pending confirmations' });
    expect(within(section).getByText(restart.question)).toBeInTheDocument();
    expect(screen.getByLabelText('Arguments of platform.restart-deployment').textContent).toBe(
      '{\n  "environment": "production",\n  "service": "payments"\n}',
    );
    expect(screen.getAllByText(/called from cursor/)).toHaveLength(2);
    const card = document.querySelector('[data-confirmation="c1"]') as HTMLElement;
    await userEvent.setup().click(within(card).getByRole('button', { name: 'Confirm' }));
    expect(api.decideConfirmation).toHaveBeenCalledWith('c1', 'confirm');
    expect(await screen.findByText(`Confirmed: ${restart.question}`)).toBeInTheDocument();
    expect(screen.getByText(/call the tool again with the same arguments: it runs once, as you/)).toBeInTheDocument();
    expect(document.querySelector('[data-confirmation="c1"]')).toBeNull();
    // The other one is still there; Decline answers it.
    const other = document.querySelector('[data-confirmation="c2"]') as HTMLElement;
    await userEvent.setup().click(within(other).getByRole('button', { name: 'Decline' }));
    expect(api.decideConfirmation).toHaveBeenLastCalledWith('c2', 'decline');
    expect(await screen.findByText('Declined: Unregister entity?')).toBeInTheDocument();
  });

  it('shows nothing when nothing waits', async () => {
    const api = fakeApi({ getConfirmations: jest.fn(async () => ({ enabled: true, confirmations: [] })) });
    const { container } = renderIt(api);
    await waitFor(() => expect(api.getConfirmations).toHaveBeenCalled());
    await new Promise(r => setTimeout(r, 0));
    expect(container.textContent).toBe('');
  });

  it('says why an answer failed, and keeps the question', async () => {
    const failure = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({ error: { name: 'ConflictError', message: 'This confirmation cannot be answered: it expired' }, response: { statusCode: 409 } }),
        { status: 409, headers: { 'content-type': 'application/json' } },
      ),
    );
    const api = fakeApi({ decideConfirmation: jest.fn(async () => { throw failure; }) });
    renderIt(api);
    const card = (await screen.findByText(restart.question)).closest('[data-confirmation]') as HTMLElement;
    await userEvent.setup().click(within(card).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Could not send your answer')).toBeInTheDocument();
    expect(screen.getByText('This confirmation cannot be answered: it expired')).toBeInTheDocument();
    expect(document.querySelector('[data-confirmation="c1"]')).not.toBeNull();
  });

  it('has an error state with a retry', async () => {
    let fail = true;
    const api = fakeApi({
      getConfirmations: jest.fn(async () => {
        if (fail) throw new Error('Service Unavailable');
        return { enabled: true, confirmations: [restart] };
      }),
    });
    renderIt(api);
    expect(await screen.findByText('Could not load your pending confirmations')).toBeInTheDocument();
    fail = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(restart.question)).toBeInTheDocument();
  });
});
