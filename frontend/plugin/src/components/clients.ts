import type { McpServer, ServersResponse } from '../api/types';

/** What the user chose for their connection. */
export interface ConnectOptions {
  server: McpServer;
  auth: ServersResponse['auth'];
  /** `X-MCP-Tools`: `search` puts three tools in place of the catalog. */
  toolDiscovery: 'all' | 'search';
  /** `X-MCP-Readonly: true`: only read-only actions. */
  readOnly: boolean;
}

/** One client's setup: where the text goes, the text, and what to do next. */
export interface ClientSetup {
  id: 'claude-code' | 'cursor' | 'vscode' | 'codex' | 'gemini' | 'inspector';
  title: string;
  /** A command to run, or the file the text goes into. */
  where: string;
  text: string;
  /** What to do once the text is in place. */
  next: string;
}

/** The environment variable the token-based texts read the token from. */
export const TOKEN_ENV = 'BACKSTAGE_MCP_TOKEN';

/** The name clients list the server under: `backstage`, or `backstage-{key}`. */
export function serverName(server: McpServer): string {
  return server.key ? `backstage-${server.key}` : 'backstage';
}

/** Headers every client sends, for the options chosen (the token is added per client). */
function optionHeaders(options: ConnectOptions): [string, string][] {
  const headers: [string, string][] = [];
  if (options.toolDiscovery !== options.server.toolDiscovery) {
    headers.push(['X-MCP-Tools', options.toolDiscovery]);
  }
  if (options.readOnly) headers.push(['X-MCP-Readonly', 'true']);
  return headers;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);
const toml = (value: string) => JSON.stringify(value);

/**
 * The exact setup of each supported client for this Backstage and this server. With OAuth
 * (the auth backend offers client ID metadata documents or static clients) the clients log
 * in through Backstage and no token appears; otherwise they send a static token read from
 * the environment variable {@link TOKEN_ENV}.
 */
export function clientSetups(options: ConnectOptions): ClientSetup[] {
  const { server, auth } = options;
  const name = serverName(server);
  const url = server.url;
  const login = auth.oauth;
  const headers = optionHeaders(options);
  const headerObject = Object.fromEntries(headers);
  const withToken = (bearer: string) =>
    login ? headerObject : { Authorization: bearer, ...headerObject };
  const hasHeaders = (h: Record<string, string>) => Object.keys(h).length > 0;
  const tokenNote = `export ${TOKEN_ENV}=<a token from your platform team> first.`;

  const claudeHeaders = [
    ...(login ? [] : [['Authorization', `Bearer $${TOKEN_ENV}`]]),
    ...headers,
  ].map(([k, v]) => ` --header "${k}: ${v}"`);
  const cursorHeaders = withToken(`Bearer \${env:${TOKEN_ENV}}`);
  const vscodeHeaders = withToken('Bearer ${input:backstage-token}');
  const geminiHeaders = withToken(`Bearer $${TOKEN_ENV}`);

  const codexLines = [`[mcp_servers.${name}]`, `url = ${toml(url)}`];
  if (!login) codexLines.push(`bearer_token_env_var = ${toml(TOKEN_ENV)}`);
  if (headers.length > 0) {
    codexLines.push(
      `http_headers = { ${headers.map(([k, v]) => `${toml(k)} = ${toml(v)}`).join(', ')} }`,
    );
  }

  const inspectorHeaders = [
    ...(login ? [] : [`--header "Authorization: Bearer $${TOKEN_ENV}"`]),
    ...headers.map(([k, v]) => `--header "${k}: ${v}"`),
  ];

  return [
    {
      id: 'claude-code',
      title: 'Claude Code',
      where: 'Run in a terminal',
      text: `claude mcp add --transport http ${name} ${url}${claudeHeaders.join('')}`,
      next: login
        ? 'Then run /mcp in Claude Code and choose Authenticate: Backstage asks you to sign in and approve.'
        : tokenNote,
    },
    {
      id: 'cursor',
      title: 'Cursor',
      where: '.cursor/mcp.json',
      text: json({
        mcpServers: { [name]: { url, ...(hasHeaders(cursorHeaders) && { headers: cursorHeaders }) } },
      }),
      next: login
        ? 'Cursor shows "Needs login" for the server: click it to sign in to Backstage and approve.'
        : tokenNote,
    },
    {
      id: 'vscode',
      title: 'VS Code',
      where: '.vscode/mcp.json',
      text: json({
        servers: {
          [name]: { type: 'http', url, ...(hasHeaders(vscodeHeaders) && { headers: vscodeHeaders }) },
        },
        ...(!login && {
          inputs: [
            {
              type: 'promptString',
              id: 'backstage-token',
              description: 'Backstage token for MCP',
              password: true,
            },
          ],
        }),
      }),
      next: login
        ? 'Start the server from the file: VS Code opens Backstage to sign in and approve.'
        : 'Start the server from the file: VS Code asks for the token once and keeps it in its secret storage.',
    },
    {
      id: 'codex',
      title: 'OpenAI Codex',
      where: '~/.codex/config.toml',
      text: `${codexLines.join('\n')}\n`,
      next: login ? `Then run: codex mcp login ${name}` : tokenNote,
    },
    {
      id: 'gemini',
      title: 'Gemini CLI',
      where: '~/.gemini/settings.json',
      text: json({
        mcpServers: {
          [name]: { httpUrl: url, ...(hasHeaders(geminiHeaders) && { headers: geminiHeaders }) },
        },
      }),
      next: login ? `Then run /mcp auth ${name} in Gemini CLI to sign in to Backstage.` : tokenNote,
    },
    {
      id: 'inspector',
      title: 'MCP Inspector',
      where: 'Run in a terminal',
      text: [
        `npx @modelcontextprotocol/inspector --cli ${url} --transport http`,
        ...inspectorHeaders,
        '--method tools/list',
      ].join(' '),
      next: login
        ? 'Or run npx @modelcontextprotocol/inspector, choose Streamable HTTP with this URL, and use its OAuth flow to sign in.'
        : `${tokenNote} Without --cli the Inspector opens its web UI: choose Streamable HTTP and this URL.`,
    },
  ];
}
