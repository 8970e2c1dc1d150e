// What every view shares: the connection to the host (the extension's App class), the host's
// theme and fonts, the page configuration the engine put into the document, and reading a
// tool result.

import {
  App,
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiHostContext,
} from '@modelcontextprotocol/ext-apps';
import { h, show } from './dom';

/** What the engine tells the built-in views (`mcp-actions-view-config`). */
export interface PageConfig {
  /** `app.baseUrl`: entity pages are under it. */
  appBaseUrl?: string;
  /** The tool of `catalog.get-catalog-entity` under this server's tool names. */
  entityTool?: string;
}

/** The parts of a `tools/call` result a view reads. */
export interface ToolResult {
  content?: Array<{ type: string; text?: string }>;
  structuredContent?: unknown;
  isError?: boolean;
}

export function pageConfig(): PageConfig {
  const text = document.getElementById('mcp-actions-view-config')?.textContent;
  if (!text) return {};
  try {
    return JSON.parse(text) as PageConfig;
  } catch {
    return {};
  }
}

/** The result's data: its structured content, else its text when that is JSON. */
export function resultData(result: ToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const text = result.content?.find(c => c.type === 'text')?.text;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The text of a result that failed. */
export function resultError(result: ToolResult): string | undefined {
  if (!result.isError) return undefined;
  return (
    result.content
      ?.filter(c => c.type === 'text')
      .map(c => c.text)
      .join('\n') || 'The tool call failed.'
  );
}

function applyContext(context: McpUiHostContext | undefined): void {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

export function errorBox(message: string): HTMLElement {
  return h('div', { className: 'error', role: 'alert' }, message);
}

/**
 * Connects to the host and hands every tool result to `render`. The view sizes itself
 * (`ui/notifications/size-changed` on every change of its height) and follows the host's
 * theme as it changes.
 */
export async function startView(
  name: string,
  render: (result: ToolResult, app: App) => void,
): Promise<App> {
  const root = document.getElementById('root')!;
  const app = new App({ name, version: '1.0.0' }, {}, { autoResize: true });
  app.ontoolinput = () => {
    if (!root.hasChildNodes()) show(root, h('p', { className: 'muted' }, 'Loading…'));
  };
  app.ontoolresult = result => render(result as ToolResult, app);
  app.ontoolcancelled = () => show(root, h('p', { className: 'muted' }, 'The call was cancelled.'));
  app.onhostcontextchanged = context => applyContext(context);
  app.onteardown = async () => ({});
  await app.connect();
  applyContext(app.getHostContext());
  return app;
}

/**
 * A link that the host opens (`ui/open-link`): a view's frame cannot navigate on its own.
 */
export function hostLink(app: App, url: string, ...label: Array<Node | string>): HTMLElement {
  return h(
    'a',
    {
      href: url,
      onclick: (event: Event) => {
        event.preventDefault();
        void app.openLink({ url }).catch(() => undefined);
      },
    },
    ...label,
  );
}
