import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { mcpActionsApiRef, type McpActionsApi } from '../api/McpActionsClient';
import type { ElicitationResponse } from '../api/types';
import { SecretsPage } from './SecretsPage';

const request: ElicitationResponse = {
  elicitationId: 'abc',
  action: {
    id: 'github:create-repo',
    title: 'Create a GitHub repository',
    description: 'Creates a repository in your organisation.',
  },
  tool: 'github.create-repo',
  client: 'Claude Code',
  secretsSchema: {
    type: 'object',
    properties: {
      token: { type: 'string', description: 'A GitHub personal access token' },
      otp: { type: 'string', description: 'A one-time code, if your account asks for one' },
    },
    required: ['token'],
  },
  csrfToken: 'csrf-123',
  expiresAt: '2030-01-01T10:00:00.000Z',
};

/** A ResponseError as McpActionsClient throws it, from a Backstage error body. */
function responseError(statusCode: number, name: string, message: string) {
  const text = JSON.stringify({ error: { name, message }, response: { statusCode } });
  return ResponseError.fromResponse({
    status: statusCode,
    statusText: '',
    ok: false,
    redirected: false,
    type: 'basic',
    url: 'http://localhost/api/mcp-actions/v1/elicitations/abc',
    headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }),
    text: async () => text,
  } as Parameters<typeof ResponseError.fromResponse>[0]);
}

function fakeApi(overrides: Partial<McpActionsApi> = {}) {
  return {
    getServers: jest.fn(),
    getTools: jest.fn(),
    getTasks: jest.fn(),
    cancelTask: jest.fn(),
    getElicitation: jest.fn(async () => request),
    submitSecrets: jest.fn(async () => ({ ok: true as const })),
    ...overrides,
  } as jest.Mocked<McpActionsApi>;
}

function renderPage(api: McpActionsApi) {
  return render(
    <TestApiProvider apis={[[mcpActionsApiRef, api]]}>
      <MemoryRouter
        initialEntries={['/secrets/abc']}
        future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
      >
        <Routes>
          <Route path="/" element={<div>main</div>} />
          <Route path="/secrets/:elicitationId" element={<SecretsPage />} />
        </Routes>
      </MemoryRouter>
    </TestApiProvider>,
  );
}

const passwordInputs = (container: HTMLElement) =>
  Array.from(container.querySelectorAll<HTMLInputElement>('input[type=password]'));

describe('SecretsPage', () => {
  it('shows a loading status while the request loads', () => {
    const api = fakeApi({ getElicitation: jest.fn(() => new Promise<never>(() => {})) });
    renderPage(api);
    expect(screen.getByRole('heading', { level: 1, name: 'Provide Credentials' })).toBeInTheDocument();
    const status = screen.getByRole('status', { name: 'Loading the request for secrets' });
    expect(status).toHaveAttribute('aria-busy', 'true');
    expect(api.getElicitation).toHaveBeenCalledWith('abc');
    expect(screen.queryByRole('button', { name: 'Submit' })).not.toBeInTheDocument();
  });

  it('shows the action, tool, client and one password field per secret', async () => {
    const api = fakeApi();
    const { container } = renderPage(api);
    expect(
      await screen.findByRole('heading', { name: 'Create a GitHub repository' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Creates a repository in your organisation.')).toBeInTheDocument();
    expect(screen.getByText('github.create-repo')).toBeInTheDocument();
    expect(screen.getByText('Requested by Claude Code')).toBeInTheDocument();

    const token = screen.getByLabelText(/^token/);
    const otp = screen.getByLabelText(/^otp/);
    expect(token).toHaveAttribute('type', 'password');
    expect(otp).toHaveAttribute('type', 'password');
    expect(token).toBeRequired();
    expect(otp).not.toBeRequired();
    expect(passwordInputs(container)).toEqual([token, otp]);
    expect(screen.getByText('A GitHub personal access token')).toBeInTheDocument();
    expect(
      screen.getByText('A one-time code, if your account asks for one'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Submit' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  });

  it('names the action by its id without a title, and shows no client when none is known', async () => {
    const api = fakeApi({
      getElicitation: jest.fn(async () => ({
        ...request,
        action: { id: 'github:create-repo' },
        client: null,
      })),
    });
    renderPage(api);
    expect(await screen.findByRole('heading', { name: 'github:create-repo' })).toBeInTheDocument();
    expect(screen.queryByText(/^Requested by/)).not.toBeInTheDocument();
  });

  it('Submit sends the typed secrets with the CSRF token and says they were sent', async () => {
    const user = userEvent.setup();
    let finish: (value: { ok: true }) => void = () => {};
    const api = fakeApi({
      submitSecrets: jest.fn(
        () =>
          new Promise<{ ok: true }>(resolve => {
            finish = resolve;
          }),
      ),
    });
    renderPage(api);
    await user.type(await screen.findByLabelText(/^token/), 'typed');
    expect(screen.queryByText('typed')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(api.submitSecrets).toHaveBeenCalledTimes(1);
    expect(api.submitSecrets).toHaveBeenCalledWith('abc', 'csrf-123', { token: 'typed' });
    // Disabled while it is sent.
    expect(screen.getByRole('button', { name: /^Submit/ })).toBeDisabled();

    finish({ ok: true });
    expect(await screen.findByText(/^Secrets sent\. Go back to your AI client/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Submit' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^token/)).not.toBeInTheDocument();
    expect(screen.queryByText('typed')).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain('typed');
  });

  it('a missing required secret is said, and nothing is sent', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    renderPage(api);
    await user.type(await screen.findByLabelText(/^otp/), '123456');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(await screen.findByText('Fill in token.')).toBeInTheDocument();
    expect(api.submitSecrets).not.toHaveBeenCalled();
  });

  it('Cancel says nothing was sent and calls nothing', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    renderPage(api);
    await user.type(await screen.findByLabelText(/^token/), 'typed');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText(/^Nothing was sent\./)).toBeInTheDocument();
    expect(api.submitSecrets).not.toHaveBeenCalled();
    expect(api.getElicitation).toHaveBeenCalledTimes(1);
    expect(screen.queryByLabelText(/^token/)).not.toBeInTheDocument();
    expect(screen.queryByText('typed')).not.toBeInTheDocument();
  });

  it.each([
    [
      404,
      'NotFoundError',
      'This request has expired or does not exist. Call the tool again from your AI client to get a new link.',
    ],
    [403, 'NotAllowedError', /^This request belongs to another user, or to a service \(a static token\)\./],
    [409, 'ConflictError', /^These secrets were already provided\./],
  ])('a %s on load says what happened and shows no form', async (status, name, message) => {
    const api = fakeApi({
      getElicitation: jest.fn(async () => {
        throw await responseError(status, name, 'backend words');
      }),
    });
    const { container } = renderPage(api);
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(passwordInputs(container)).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Submit' })).not.toBeInTheDocument();
    expect(api.submitSecrets).not.toHaveBeenCalled();
  });

  it('another failure on load shows the error with Try again', async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      getElicitation: jest
        .fn()
        .mockRejectedValueOnce(new Error('network down'))
        .mockResolvedValueOnce(request),
    });
    renderPage(api);
    expect(await screen.findByText('Could not load the request for secrets')).toBeInTheDocument();
    expect(screen.getByText('network down')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText(/^token/)).toBeInTheDocument();
    expect(api.getElicitation).toHaveBeenCalledTimes(2);
  });

  it('a 400 on submit shows the backend message and keeps the form', async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      submitSecrets: jest
        .fn()
        .mockImplementationOnce(async () => {
          throw await responseError(400, 'InputError', 'token: must be at least 40 characters');
        })
        .mockResolvedValueOnce({ ok: true }),
    });
    const { container } = renderPage(api);
    const token = await screen.findByLabelText(/^token/);
    await user.type(token, 'typed');
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    expect(await screen.findByText('token: must be at least 40 characters')).toBeInTheDocument();
    expect(screen.getByText('The secrets were not accepted')).toBeInTheDocument();
    expect(passwordInputs(container)).toHaveLength(2);
    expect(screen.getByLabelText(/^token/)).toHaveValue('typed');
    expect(screen.getByRole('button', { name: 'Submit' })).toBeEnabled();
    expect(screen.queryByText('typed')).not.toBeInTheDocument();

    // Submitting again with a corrected value goes through.
    await user.type(screen.getByLabelText(/^token/), '-more');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    await waitFor(() => expect(api.submitSecrets).toHaveBeenCalledTimes(2));
    expect(api.submitSecrets).toHaveBeenLastCalledWith('abc', 'csrf-123', {
      token: 'typed-more',
    });
    expect(await screen.findByText(/^Secrets sent\./)).toBeInTheDocument();
  });

  it('a 409 on submit says the secrets were already provided', async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      submitSecrets: jest.fn(async () => {
        throw await responseError(409, 'ConflictError', 'already provided');
      }),
    });
    const { container } = renderPage(api);
    await user.type(await screen.findByLabelText(/^token/), 'typed');
    await user.click(screen.getByRole('button', { name: 'Submit' }));
    expect(await screen.findByText(/^These secrets were already provided\./)).toBeInTheDocument();
    expect(passwordInputs(container)).toHaveLength(0);
  });

  it('never logs the typed value', async () => {
    const user = userEvent.setup();
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map(level =>
      jest.spyOn(console, level),
    );
    try {
      const api = fakeApi({
        submitSecrets: jest.fn(async () => {
          throw await responseError(400, 'InputError', 'bad CSRF token');
        }),
      });
      renderPage(api);
      await user.type(await screen.findByLabelText(/^token/), 'typed-secret');
      await user.click(screen.getByRole('button', { name: 'Submit' }));
      expect(await screen.findByText('bad CSRF token')).toBeInTheDocument();
      for (const spy of spies) {
        for (const call of spy.mock.calls) {
          expect(JSON.stringify(call.map(String))).not.toContain('typed-secret');
        }
      }
    } finally {
      spies.forEach(spy => spy.mockRestore());
    }
  });
});
