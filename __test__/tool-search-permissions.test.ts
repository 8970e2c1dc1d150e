import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mcpActionsPlugin from '../plugin';
import { guestAuthConfig, guestUserToken, STATIC_TOKEN, startBackend, type RunningBackend } from './support/backend';
import { rpc } from './support/tasksHttp';
import { denyVaultPolicy, vaultActionsPlugin } from './support/vaultActionsPlugin';

// The registry's visibilityPermission through Backstage's real permission backend and a
// policy that denies `vault.open`: a signed-in user never finds, describes or calls the tool
// it hides, in search mode or otherwise; the answer is the one an unknown tool gets.

let backend: RunningBackend;
let guest: string;

beforeAll(async () => {
  backend = await startBackend({
    features: [
      mcpActionsPlugin,
      vaultActionsPlugin,
      import('@backstage/plugin-permission-backend'),
      denyVaultPolicy,
      import('@backstage/plugin-auth-backend'),
      import('@backstage/plugin-auth-backend-module-guest-provider'),
    ],
    config: {
      ...guestAuthConfig,
      permission: { enabled: true },
      backend: { actions: { pluginSources: ['vault'] } },
    },
  });
  guest = await guestUserToken(backend.baseUrl);
});
afterAll(async () => {
  await backend?.stop();
});

/** A 2026-07-28 request in search mode, as `token`. */
const search = (token: string, method: string, params: Record<string, unknown>, name?: string) =>
  rpc(backend.mcpUrl, method, params, { token, declare: false, name, headers: { 'X-MCP-Tools': 'search' } });

describe('search mode and the registry\'s visibilityPermission', () => {
  it('hides the tool from the user everywhere, with the answer an unknown tool gets', async () => {
    const found = await search(guest, 'tools/call', { name: 'search_tools', arguments: { query: 'vault' } });
    expect(found.result.structuredContent.tools.map((t: { name: string }) => t.name)).toEqual(['vault.list-vault-items']);
    const described = await search(guest, 'tools/call', { name: 'describe_tools', arguments: { names: ['vault.open-vault'] } });
    expect(described.result.structuredContent).toEqual({ tools: [], unknown: ['vault.open-vault'] });
    const through = await search(guest, 'tools/call', { name: 'call_tool', arguments: { name: 'vault.open-vault', arguments: {} } });
    const unknown = await search(guest, 'tools/call', { name: 'call_tool', arguments: { name: 'vault.no-such-tool', arguments: {} } });
    expect(through.error).toEqual({ code: -32602, message: 'Unknown tool: vault.open-vault' });
    expect(unknown.error).toEqual({ code: -32602, message: 'Unknown tool: vault.no-such-tool' });
    const direct = await search(guest, 'tools/call', { name: 'vault.open-vault', arguments: {} });
    expect(direct.error).toEqual(through.error);
    const all = await rpc(backend.mcpUrl, 'tools/list', {}, { token: guest, declare: false });
    expect(all.result.tools.map((t: { name: string }) => t.name)).toEqual(['vault.list-vault-items']);
  });

  it('finds it for a principal the policy does not deny (the test can tell)', async () => {
    // A static token is a service principal: the registry sees the plugin's own identity,
    // which the policy allows.
    const found = await search(STATIC_TOKEN, 'tools/call', { name: 'search_tools', arguments: { query: 'open vault' } });
    expect(found.result.structuredContent.tools[0].name).toBe('vault.open-vault');
    const opened = await search(STATIC_TOKEN, 'tools/call', { name: 'call_tool', arguments: { name: 'vault.open-vault', arguments: {} } });
    expect(opened.result.structuredContent).toEqual({ inside: 'gold' });
  });
});
