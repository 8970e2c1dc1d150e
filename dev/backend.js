// The demo backend: a real Backstage backend with this plugin and real actions.
'use strict';

const { createBackend } = require('@backstage/backend-defaults');
const { platformActionsPlugin } = require('./platformActionsPlugin');

async function main() {
  const backend = createBackend();
  backend.add(require('../dist').default);
  backend.add(require('@backstage/plugin-catalog-backend'));
  backend.add(platformActionsPlugin);
  await backend.start();

  const url = `http://localhost:${process.env.PORT}/api/mcp-actions/v1`;
  const token = process.env.MCP_DEMO_TOKEN;
  const config = {
    mcpServers: {
      backstage: { type: 'http', url, headers: { Authorization: `Bearer ${token}` } },
    },
  };
  process.stdout.write(
    [
      '',
      '──────────────────────────────────────────────────────────────────────',
      ` MCP endpoint: ${url}`,
      ` Token:        ${token}`,
      '',
      ' Claude Code:',
      `   claude mcp add --transport http backstage ${url} --header "Authorization: Bearer ${token}"`,
      '',
      ' Cursor (.cursor/mcp.json) / VS Code (.vscode/mcp.json uses "servers"):',
      JSON.stringify(config, null, 2).replace(/^/gm, '   '),
      '',
      ' MCP Inspector:  npx @modelcontextprotocol/inspector  (Streamable HTTP, URL and header above)',
      '──────────────────────────────────────────────────────────────────────',
      '',
    ].join('\n'),
  );
}

main().catch(error => {
  process.stderr.write(`demo backend failed to start: ${error.stack ?? error}\n`);
  process.exit(1);
});
