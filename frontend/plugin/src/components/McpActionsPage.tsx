import { useState } from 'react';
import { Container, Flex, Tab, TabList, TabPanel, Tabs, Text } from '@backstage/ui';
import { useApi } from '@backstage/frontend-plugin-api';
import { Route, Routes } from 'react-router-dom';
import { mcpActionsApiRef } from '../api/McpActionsClient';
import { Confirmations } from './Confirmations';
import { ConnectPanel } from './ConnectPanel';
import { SecretsPage } from './SecretsPage';
import { ServerList } from './ServerList';
import { Empty, ErrorState, Loading } from './States';
import { TaskList } from './TaskList';
import { UsagePanel } from './usage/UsagePanel';
import { useLoad } from './useLoad';

/** Tables and snippets in Backstage UI's own colours and spacing. */
const STYLES = `
.mcp-actions-schema, .mcp-actions-tasks, .mcp-actions-usage { width: 100%; border-collapse: collapse; font: var(--bui-font-regular, inherit); font-size: var(--bui-font-size-3, 0.875rem); }
.mcp-actions-schema th, .mcp-actions-schema td, .mcp-actions-tasks th, .mcp-actions-tasks td, .mcp-actions-usage th, .mcp-actions-usage td { text-align: left; vertical-align: top; padding: var(--bui-space-2, 8px); border-bottom: 1px solid var(--bui-border, #ddd); }
.mcp-actions-schema th, .mcp-actions-tasks th, .mcp-actions-usage th { color: var(--bui-fg-secondary, #666); font-weight: var(--bui-font-weight-bold, 600); }
.mcp-actions-snippet { margin: 0; padding: var(--bui-space-3, 12px); overflow-x: auto; white-space: pre-wrap; word-break: break-all; background: var(--bui-bg-neutral-2, #f4f4f4); border-radius: var(--bui-radius-2, 4px); font-family: var(--bui-font-monospace, monospace); font-size: var(--bui-font-size-2, 0.8rem); }
.mcp-actions-usage td:nth-child(n+3) { font-variant-numeric: tabular-nums; }
.mcp-actions-chart { margin: 0; color: var(--bui-fg-secondary, #666); min-width: 0; }
.mcp-actions-chart figcaption { margin-bottom: var(--bui-space-2, 8px); color: var(--bui-fg-primary, inherit); }
.mcp-actions-stats, .mcp-actions-filters { flex-wrap: wrap; }
.mcp-actions-stat { min-width: 140px; flex: 1 1 140px; }
.mcp-actions-report { overflow-x: auto; }
.mcp-actions-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;

type View = 'servers' | 'connect' | 'tasks' | 'usage';

/**
 * The plugin's page, mounted at `/mcp-actions`: the app renders it for every path under that,
 * so it routes on its own: the overview at `/mcp-actions` and the secrets page at
 * `/mcp-actions/secrets/:elicitationId` (the link a tool call that needs credentials gives).
 */
export function McpActionsPage() {
  return (
    <Routes>
      <Route path="/" element={<Main />} />
      <Route path="/secrets/:elicitationId" element={<SecretsPage />} />
    </Routes>
  );
}

/** The overview at `/mcp-actions`: servers and their tools, client setup, your tasks, usage. */
export function Main() {
  const api = useApi(mcpActionsApiRef);
  const servers = useLoad(() => api.getServers(), [api]);
  const [view, setView] = useState<View>('servers');

  let body;
  if (servers.loading && !servers.value) {
    body = <Loading label="Loading the MCP servers" />;
  } else if (servers.error) {
    body = (
      <ErrorState
        title="Could not load the MCP servers"
        error={servers.error}
        hint="The page reads the mcp-actions backend plugin (/api/mcp-actions/ui/v1). Check that @mcp-actions-rs/plugin-mcp-actions-backend is installed in the backend and that you are signed in."
        onRetry={servers.reload}
      />
    );
  } else if (!servers.value || servers.value.servers.length === 0) {
    body = (
      <Empty
        title="No MCP servers"
        hint="The backend plugin serves none. Ask your platform team to check mcpActions in app-config.yaml."
      />
    );
  } else {
    const data = servers.value;
    body = (
      <Tabs selectedKey={view} onSelectionChange={key => setView(key as View)}>
        <TabList aria-label="MCP Actions">
          <Tab id="servers">Servers and tools</Tab>
          <Tab id="connect">Connect a client</Tab>
          <Tab id="tasks">My tasks</Tab>
          <Tab id="usage">Usage</Tab>
        </TabList>
        <TabPanel id="servers">
          <ServerList data={data} />
        </TabPanel>
        <TabPanel id="connect">
          <ConnectPanel data={data} />
        </TabPanel>
        <TabPanel id="tasks">
          <TaskList enabled={data.tasks.enabled} />
        </TabPanel>
        <TabPanel id="usage">
          <UsagePanel servers={data} />
        </TabPanel>
      </Tabs>
    );
  }

  return (
    <Container my="4">
      <style>{STYLES}</style>
      <Flex direction="column" gap="4">
        <Text as="p" color="secondary">
          AI clients (Claude Code, Cursor, VS Code, Codex, Gemini CLI, any MCP client) call the
          actions of this Backstage as tools, as you and with your permissions.
        </Text>
        <Confirmations />
        {body}
      </Flex>
    </Container>
  );
}
