import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ServersResponse } from '../api/types';
import { ConnectPanel } from './ConnectPanel';

const data = (auth: ServersResponse['auth']): ServersResponse => ({
  baseUrl: 'https://backstage.example.com/api/mcp-actions',
  protocolVersions: ['2025-06-18'],
  auth,
  tasks: { enabled: true },
  servers: [
    {
      key: null,
      name: 'All actions',
      url: 'https://backstage.example.com/api/mcp-actions/v1',
      toolDiscovery: 'all',
      transports: ['streamable-http'],
      toolCount: 13,
    },
  ],
});

const oauth = data({ oauth: true, staticTokens: false });
const tokens = data({ oauth: false, staticTokens: true });

const snippet = (container: HTMLElement, id: string) =>
  container.querySelector(`pre[data-client="${id}"]`)?.textContent;

describe('ConnectPanel', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shows one panel per client', () => {
    const { container } = render(<ConnectPanel data={oauth} />);
    expect(screen.getAllByRole('heading', { level: 3 }).map(h => h.textContent)).toEqual([
      'Claude Code',
      'Cursor',
      'VS Code',
      'OpenAI Codex',
      'Gemini CLI',
      'MCP Inspector',
    ]);
    expect(container.querySelectorAll('pre')).toHaveLength(6);
    expect(screen.getAllByRole('button', { name: /^Copy the .* setup$/ })).toHaveLength(6);
    expect(screen.getByText('.cursor/mcp.json')).toBeInTheDocument();
    expect(screen.getByText('~/.codex/config.toml')).toBeInTheDocument();
    // One server: no Select.
    expect(screen.queryByText('Server')).not.toBeInTheDocument();
  });

  it('with OAuth says the client logs in, and no text has a token', () => {
    const { container } = render(<ConnectPanel data={oauth} />);
    expect(screen.getByText('Your client logs in with your Backstage account')).toBeInTheDocument();
    expect(screen.queryByText('Your client needs a token')).not.toBeInTheDocument();
    for (const pre of Array.from(container.querySelectorAll('pre'))) {
      expect(pre.textContent).not.toContain('BACKSTAGE_MCP_TOKEN');
      expect(pre.textContent).not.toContain('Authorization');
    }
    expect(snippet(container, 'claude-code')).toBe(
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1',
    );
  });

  it('without OAuth says the client needs a token, and the texts use it', () => {
    const { container } = render(<ConnectPanel data={tokens} />);
    expect(screen.getByText('Your client needs a token')).toBeInTheDocument();
    expect(
      screen.queryByText('Your client logs in with your Backstage account'),
    ).not.toBeInTheDocument();
    expect(screen.getByText(/put it in the environment variable BACKSTAGE_MCP_TOKEN/)).toBeInTheDocument();
    expect(snippet(container, 'claude-code')).toBe(
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1 --header "Authorization: Bearer $BACKSTAGE_MCP_TOKEN"',
    );
    expect(snippet(container, 'codex')).toContain('bearer_token_env_var = "BACKSTAGE_MCP_TOKEN"');
  });

  it('without any login or static tokens says what to ask for', () => {
    render(<ConnectPanel data={data({ oauth: false, staticTokens: false })} />);
    expect(screen.getByText('Your client needs a token')).toBeInTheDocument();
    expect(
      screen.getByText(/offers MCP clients neither a login nor static tokens/),
    ).toBeInTheDocument();
  });

  it('the Copy button writes the exact text and says "Copied"', async () => {
    const user = userEvent.setup();
    const writeText = jest.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText },
      configurable: true,
    });
    render(<ConnectPanel data={tokens} />);
    const button = screen.getByRole('button', { name: 'Copy the OpenAI Codex setup' });
    expect(button).toHaveTextContent(/^Copy$/);

    await user.click(button);
    expect(writeText).toHaveBeenCalledTimes(1);
    expect(writeText).toHaveBeenCalledWith(
      '[mcp_servers.backstage]\nurl = "https://backstage.example.com/api/mcp-actions/v1"\nbearer_token_env_var = "BACKSTAGE_MCP_TOKEN"\n',
    );
    expect(await screen.findByText('Copied')).toBeInTheDocument();
    expect(button).toHaveTextContent('Copied');
    // Only the pressed button changes.
    expect(screen.getByRole('button', { name: 'Copy the Claude Code setup' })).toHaveTextContent(
      /^Copy$/,
    );
  });

  it('"Copied" goes back to "Copy" after two seconds', async () => {
    jest.useFakeTimers();
    const user = userEvent.setup({ advanceTimers: jest.advanceTimersByTime });
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: jest.fn(() => Promise.resolve()) },
      configurable: true,
    });
    render(<ConnectPanel data={oauth} />);
    const button = screen.getByRole('button', { name: 'Copy the Claude Code setup' });
    await user.click(button);
    expect(await screen.findByText('Copied')).toBeInTheDocument();
    act(() => {
      jest.advanceTimersByTime(2100);
    });
    expect(button).toHaveTextContent(/^Copy$/);
  });

  it('a failing clipboard says to select the text', async () => {
    const user = userEvent.setup();
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: jest.fn(() => Promise.reject(new Error('denied'))) },
      configurable: true,
    });
    render(<ConnectPanel data={oauth} />);
    await user.click(screen.getByRole('button', { name: 'Copy the Cursor setup' }));
    expect(await screen.findByText('Copy failed: select the text')).toBeInTheDocument();
  });

  it('toggling tool search changes the Claude Code text', async () => {
    const user = userEvent.setup();
    const { container } = render(<ConnectPanel data={oauth} />);
    const toggle = screen.getByRole('switch', { name: 'Tool search (X-MCP-Tools: search)' });
    expect(toggle).not.toBeChecked();
    const plain =
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1';
    expect(snippet(container, 'claude-code')).toBe(plain);

    await user.click(toggle);
    expect(toggle).toBeChecked();
    expect(snippet(container, 'claude-code')).toBe(`${plain} --header "X-MCP-Tools: search"`);

    await user.click(toggle);
    expect(toggle).not.toBeChecked();
    expect(snippet(container, 'claude-code')).toBe(plain);
  });

  it('toggling read-only adds X-MCP-Readonly', async () => {
    const user = userEvent.setup();
    const { container } = render(<ConnectPanel data={oauth} />);
    await user.click(screen.getByRole('switch', { name: 'Read-only (X-MCP-Readonly)' }));
    expect(snippet(container, 'claude-code')).toBe(
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1 --header "X-MCP-Readonly: true"',
    );
    expect(snippet(container, 'codex')).toBe(
      '[mcp_servers.backstage]\nurl = "https://backstage.example.com/api/mcp-actions/v1"\nhttp_headers = { "X-MCP-Readonly" = "true" }\n',
    );
  });
});
