import type { McpServer, ServersResponse } from '../api/types';
import { clientSetups, serverName, type ConnectOptions } from './clients';

const defaultServer: McpServer = {
  key: null,
  name: 'All actions',
  url: 'https://backstage.example.com/api/mcp-actions/v1',
  toolDiscovery: 'all',
  transports: ['streamable-http'],
};
const catalogServer: McpServer = {
  key: 'catalog',
  name: 'Catalog',
  url: 'https://backstage.example.com/api/mcp-actions/v1/catalog',
  toolDiscovery: 'search',
  transports: ['streamable-http'],
};
const oauth: ServersResponse['auth'] = { oauth: true, staticTokens: false };
const tokens: ServersResponse['auth'] = { oauth: false, staticTokens: true };

function setups(options: Partial<ConnectOptions> = {}) {
  const list = clientSetups({
    server: defaultServer,
    auth: oauth,
    toolDiscovery: 'all',
    readOnly: false,
    ...options,
  });
  return Object.fromEntries(list.map(s => [s.id, s]));
}

describe('clientSetups', () => {
  it('gives the six clients in order', () => {
    const list = clientSetups({ server: defaultServer, auth: oauth, toolDiscovery: 'all', readOnly: false });
    expect(list.map(s => s.title)).toEqual([
      'Claude Code',
      'Cursor',
      'VS Code',
      'OpenAI Codex',
      'Gemini CLI',
      'MCP Inspector',
    ]);
  });

  it('with OAuth no text carries a token', () => {
    for (const setup of Object.values(setups({ auth: oauth }))) {
      expect(setup.text).not.toContain('Authorization');
      expect(setup.text).not.toContain('BACKSTAGE_MCP_TOKEN');
      expect(setup.text).not.toContain('backstage-token');
    }
    const s = setups({ auth: oauth });
    expect(s['claude-code'].text).toBe(
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1',
    );
    expect(s.codex.text).toBe(
      '[mcp_servers.backstage]\nurl = "https://backstage.example.com/api/mcp-actions/v1"\n',
    );
    expect(s.codex.next).toBe('Then run: codex mcp login backstage');
    expect(JSON.parse(s.vscode.text)).not.toHaveProperty('inputs');
  });

  it('without OAuth every client reads the token', () => {
    const s = setups({ auth: tokens });
    expect(s['claude-code'].text).toBe(
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1 --header "Authorization: Bearer $BACKSTAGE_MCP_TOKEN"',
    );
    expect(s.codex.text).toBe(
      '[mcp_servers.backstage]\nurl = "https://backstage.example.com/api/mcp-actions/v1"\nbearer_token_env_var = "BACKSTAGE_MCP_TOKEN"\n',
    );
    expect(JSON.parse(s.cursor.text)).toEqual({
      mcpServers: {
        backstage: {
          url: 'https://backstage.example.com/api/mcp-actions/v1',
          headers: { Authorization: 'Bearer ${env:BACKSTAGE_MCP_TOKEN}' },
        },
      },
    });
    const vscode = JSON.parse(s.vscode.text);
    expect(vscode.servers.backstage.headers).toEqual({
      Authorization: 'Bearer ${input:backstage-token}',
    });
    expect(vscode.inputs).toEqual([
      {
        type: 'promptString',
        id: 'backstage-token',
        description: 'Backstage token for MCP',
        password: true,
      },
    ]);
    expect(JSON.parse(s.gemini.text).mcpServers.backstage.headers).toEqual({
      Authorization: 'Bearer $BACKSTAGE_MCP_TOKEN',
    });
    expect(s.inspector.text).toBe(
      'npx @modelcontextprotocol/inspector --cli https://backstage.example.com/api/mcp-actions/v1 --transport http --header "Authorization: Bearer $BACKSTAGE_MCP_TOKEN" --method tools/list',
    );
    expect(s['claude-code'].next).toBe(
      'export BACKSTAGE_MCP_TOKEN=<a token from your platform team> first.',
    );
  });

  it('sends X-MCP-Tools only when the discovery differs from the server', () => {
    for (const setup of Object.values(setups({ toolDiscovery: 'all' }))) {
      expect(setup.text).not.toContain('X-MCP-Tools');
    }
    for (const setup of Object.values(setups({ server: catalogServer, toolDiscovery: 'search' }))) {
      expect(setup.text).not.toContain('X-MCP-Tools');
    }
    const s = setups({ toolDiscovery: 'search' });
    for (const setup of Object.values(s)) expect(setup.text).toContain('X-MCP-Tools');
    expect(s['claude-code'].text).toBe(
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1 --header "X-MCP-Tools: search"',
    );
    expect(s.codex.text).toBe(
      '[mcp_servers.backstage]\nurl = "https://backstage.example.com/api/mcp-actions/v1"\nhttp_headers = { "X-MCP-Tools" = "search" }\n',
    );
    const c = setups({ server: catalogServer, toolDiscovery: 'all' });
    expect(JSON.parse(c.cursor.text).mcpServers['backstage-catalog'].headers).toEqual({
      'X-MCP-Tools': 'all',
    });
  });

  it('sends X-MCP-Readonly when read-only', () => {
    const s = setups({ readOnly: true, auth: tokens, toolDiscovery: 'search' });
    expect(s['claude-code'].text).toBe(
      'claude mcp add --transport http backstage https://backstage.example.com/api/mcp-actions/v1 --header "Authorization: Bearer $BACKSTAGE_MCP_TOKEN" --header "X-MCP-Tools: search" --header "X-MCP-Readonly: true"',
    );
    expect(s.codex.text).toBe(
      '[mcp_servers.backstage]\nurl = "https://backstage.example.com/api/mcp-actions/v1"\nbearer_token_env_var = "BACKSTAGE_MCP_TOKEN"\nhttp_headers = { "X-MCP-Tools" = "search", "X-MCP-Readonly" = "true" }\n',
    );
    expect(JSON.parse(s.gemini.text).mcpServers.backstage.headers).toEqual({
      Authorization: 'Bearer $BACKSTAGE_MCP_TOKEN',
      'X-MCP-Tools': 'search',
      'X-MCP-Readonly': 'true',
    });
    for (const setup of Object.values(setups({ readOnly: false }))) {
      expect(setup.text).not.toContain('X-MCP-Readonly');
    }
  });

  it('Cursor, VS Code and Gemini texts are valid JSON with the exact url', () => {
    const s = setups({ server: catalogServer, toolDiscovery: 'search' });
    const url = 'https://backstage.example.com/api/mcp-actions/v1/catalog';
    expect(JSON.parse(s.cursor.text)).toEqual({ mcpServers: { 'backstage-catalog': { url } } });
    expect(JSON.parse(s.vscode.text)).toEqual({
      servers: { 'backstage-catalog': { type: 'http', url } },
    });
    expect(JSON.parse(s.gemini.text)).toEqual({
      mcpServers: { 'backstage-catalog': { httpUrl: url } },
    });
  });

  it('lists a named server as backstage-<key>', () => {
    expect(serverName(defaultServer)).toBe('backstage');
    expect(serverName(catalogServer)).toBe('backstage-catalog');
    const s = setups({ server: catalogServer, toolDiscovery: 'search', auth: tokens });
    expect(s['claude-code'].text).toBe(
      'claude mcp add --transport http backstage-catalog https://backstage.example.com/api/mcp-actions/v1/catalog --header "Authorization: Bearer $BACKSTAGE_MCP_TOKEN"',
    );
    expect(s.codex.text).toBe(
      '[mcp_servers.backstage-catalog]\nurl = "https://backstage.example.com/api/mcp-actions/v1/catalog"\nbearer_token_env_var = "BACKSTAGE_MCP_TOKEN"\n',
    );
    expect(s.gemini.next).toBe(
      'export BACKSTAGE_MCP_TOKEN=<a token from your platform team> first.',
    );
    expect(setups({ server: catalogServer, toolDiscovery: 'search' }).gemini.next).toBe(
      'Then run /mcp auth backstage-catalog in Gemini CLI to sign in to Backstage.',
    );
  });
});
