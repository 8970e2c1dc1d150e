// A small MCP Apps host for the browser test (__test__/apps-host.test.ts), not shipped: a
// real MCP client (the 1.x SDK, declaring nothing, stateless as the extension's own example
// host; or the 2.x client, declaring the extension) and the extension's own host side
// (AppBridge) rendering each view in a sandboxed frame under the extension's default CSP.

import {
  AppBridge,
  PostMessageTransport,
  type McpUiHostContext,
} from '@modelcontextprotocol/ext-apps/app-bridge';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

interface Tool {
  name: string;
  title?: string;
  outputSchema?: Record<string, unknown>;
  inputSchema: Record<string, unknown>;
  _meta?: { ui?: { resourceUri?: string } };
}

// The calls a host makes, the same through either client line.
interface Mcp {
  listTools(): Promise<Tool[]>;
  callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
  readResource(uri: string): Promise<{ contents: Array<{ text?: string; mimeType?: string }> }>;
  /** The client AppBridge forwards to by itself (2.x), or null (1.x: handlers below). */
  bridgeClient: ModernClient | null;
}

const UI = { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } };
// The extension's restrictive default, as a host applies it when a view declares no domains.
const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; media-src data:; connect-src 'none'; frame-src 'none'";

async function connect(line: 'v1' | 'v2', url: string, token: string): Promise<Mcp> {
  const headers = { Authorization: `Bearer ${token}` };
  if (line === 'v2') {
    const client = new ModernClient(
      { name: 'apps-test-host', version: '2.0.0' },
      { capabilities: { extensions: UI } as never },
    );
    await client.connect(new ModernTransport(new URL(url), { requestInit: { headers } }));
    return {
      listTools: async () => (await client.listTools()).tools as Tool[],
      callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as never,
      readResource: async uri => (await client.readResource({ uri })) as never,
      bridgeClient: client,
    };
  }
  const client = new LegacyClient({ name: 'apps-test-host', version: '1.0.0' });
  await client.connect(new LegacyTransport(new URL(url), { requestInit: { headers } }));
  return {
    listTools: async () => (await client.listTools()).tools as Tool[],
    callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as never,
    readResource: async uri => (await client.readResource({ uri })) as never,
    bridgeClient: null,
  };
}

const DARK = {
  '--color-background-primary': '#121212',
  '--color-text-primary': '#f1f1f1',
  '--color-text-secondary': '#b0b0b0',
  '--color-border-primary': '#3a3a3a',
};

/** What the test reads back. */
const state = {
  tools: [] as Tool[],
  openedLinks: [] as string[],
  hostCalls: [] as string[],
  sizes: [] as number[],
};

let mcp: Mcp | undefined;

async function start(line: 'v1' | 'v2', url: string, token: string): Promise<Tool[]> {
  mcp = await connect(line, url, token);
  state.tools = await mcp.listTools();
  return state.tools;
}

/** Calls `name` as the model would, and shows its result in the tool's view. */
async function show(name: string, args: Record<string, unknown>, theme: 'light' | 'dark'): Promise<Record<string, unknown>> {
  if (!mcp) throw new Error('not connected');
  const m = mcp;
  const tool = state.tools.find(t => t.name === name);
  const uri = tool?._meta?.ui?.resourceUri;
  if (!tool || !uri) throw new Error(`${name} has no view`);
  const resource = await m.readResource(uri);
  const html = resource.contents[0]?.text ?? '';
  document.body.dataset.theme = theme;
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = name;
  document.getElementById('views')!.replaceChildren(frame);
  const context: McpUiHostContext = {
    theme,
    toolInfo: { tool: tool as never },
    platform: 'web',
    ...(theme === 'dark' ? { styles: { variables: DARK as never } } : {}),
  };
  const bridge = new AppBridge(
    m.bridgeClient as never,
    { name: 'apps-test-host', version: '1.0.0' },
    { openLinks: {}, serverTools: {}, serverResources: {}, logging: {} },
    { hostContext: context },
  );
  // The 2.x client is forwarded to by AppBridge itself; the 1.x one through this handler.
  if (!m.bridgeClient) {
    bridge.oncalltool = async params => {
      state.hostCalls.push(params.name);
      return (await m.callTool(params.name, params.arguments ?? {})) as never;
    };
  }
  bridge.onopenlink = async params => {
    state.openedLinks.push(params.url);
    return {};
  };
  bridge.onsizechange = params => {
    if (typeof params.height === 'number') {
      frame.style.height = `${params.height}px`;
      state.sizes.push(params.height);
    }
  };
  const initialized = new Promise<void>(resolve => (bridge.oninitialized = () => resolve()));
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  frame.srcdoc = html.replace(/<head>/i, `<head><meta http-equiv="Content-Security-Policy" content="${CSP}">`);
  await initialized;
  const result = await m.callTool(name, args);
  await bridge.sendToolInput({ arguments: args });
  await bridge.sendToolResult(result as never);
  return result;
}

Object.assign(window, { appsHost: { start, show, state } });
