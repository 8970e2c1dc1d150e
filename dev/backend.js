// The demo backend: a real Backstage backend with this plugin and real actions.
// `node backend.js --config app-config.yaml` (run by dev/start.sh) starts it and prints the
// MCP client configuration; `createDemoBackend()` composes it for scripts (bench/).
'use strict';

const { resolve } = require('node:path');
const { pathToFileURL } = require('node:url');
const { createBackend } = require('@backstage/backend-defaults');
const { platformActionsPlugin } = require('./platformActionsPlugin');

// The demo's frontend (frontend/app, built by dev/start.sh), served by the `app` plugin:
// `app.packageName` in app-config.yaml names it by this file URL.
// Seals the secrets users give on the page (mcpActions.secrets.encryptionKey): a fresh key
// per start unless one is pinned; the demo's database is in memory anyway.
process.env.MCP_DEMO_SECRETS_KEY ??= require('node:crypto').randomBytes(32).toString('base64');
process.env.MCP_DEMO_APP_PACKAGE ??= pathToFileURL(
  resolve(__dirname, '..', 'frontend', 'app', 'package.json'),
).href;

function createDemoBackend(options = {}) {
  const backend = createBackend();
  backend.add(options.mcpActionsPlugin ?? require('../dist').default);
  backend.add(require('@backstage/plugin-catalog-backend'));
  backend.add(platformActionsPlugin);
  // OAuth login for MCP clients: the auth backend (client ID metadata documents, a static
  // client) and the guest provider. The frontend (the `app` plugin) serves the consent page
  // of @backstage/plugin-auth and this repository's page at /mcp-actions.
  backend.add(require('@backstage/plugin-auth-backend'));
  backend.add(require('@backstage/plugin-auth-backend-module-guest-provider'));
  if (options.frontend !== false) backend.add(require('@backstage/plugin-app-backend'));
  return backend;
}

async function main() {
  // A development backend: the guest provider and loopback client metadata documents are
  // development-only in the auth backend.
  process.env.NODE_ENV = 'development';
  const backend = createDemoBackend();
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
      ` Backstage:    http://localhost:${process.env.PORT}/mcp-actions   (sign in as the guest: your`,
      '               servers, their tools, the setup of each AI client, your MCP tasks)',
      ` MCP endpoint: ${url}`,
      ` Named server: ${url}/incidents   (only the incident tools)`,
      ` Legacy SSE:   ${url}/sse   (clients that only speak the 2024-11-05 transport)`,
      ' Protocols:    2024-11-05 … 2025-11-25 and 2026-07-28 on the same URLs',
      "               (@modelcontextprotocol/client 2.x: versionNegotiation { mode: 'auto' })",
      ' Tool search:  send the header X-MCP-Tools: search and three tools (search_tools,',
      '               describe_tools, call_tool) stand in for the catalog',
      ' Secrets:      platform.publish-release needs a registry token, which never reaches the model.',
      '               Logged in as a user (OAuth): the call answers with a link to',
      `               ${'http://localhost:' + process.env.PORT}/mcp-actions/secrets/… where you enter it.`,
      '               With the static token below: the answer gives two curl commands of the',
      "               plugin's API to run with the same token (export BACKSTAGE_MCP_TOKEN=<token>).",
      '               Then call the tool again: it runs with the token you gave.',
      ' Rate limits:  30 destructive calls a minute per caller (mcpActions.rateLimits); the 31st',
      '               gets HTTP 429 / JSON-RPC -32023 with data.retryAfterMs',
      ' Confirm:      platform.restart-deployment asks you first (mcpActions.confirm): a client with',
      '               MCP elicitation shows Confirm / Decline; any other lists it on the page',
      `               ${'http://localhost:' + process.env.PORT}/mcp-actions (Pending confirmations), then call again`,
      ' MCP tasks:    platform.provision-environment (8 s) answers a task to 2026-07-28 clients that',
      '               declare io.modelcontextprotocol/tasks; they poll tasks/get for the result',
      ' Views:        clients that render MCP Apps (Claude, VS Code Copilot, ChatGPT, Goose) show',
      '               catalog entities as a card and a table, incidents and service health as',
      '               views (mcpActions.apps); Claude Code and other terminals show the text',
      ` Token:        ${token}`,
      ' OAuth login:  or add the URL with no header: the client logs in by itself. Clients with a',
      '               client ID metadata document (Claude Code, Cursor, VS Code) need nothing more;',
      '               a script can be the static client "demo-cli" (redirect',
      '               http://127.0.0.1:33418/callback). The browser opens Backstage\'s consent',
      `               page, http://localhost:${process.env.PORT}/oauth2/authorize/…, as the guest.`,
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

module.exports = { createDemoBackend };

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`demo backend failed to start: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
