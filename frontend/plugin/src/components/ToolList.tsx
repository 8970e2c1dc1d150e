import { useMemo, useState } from 'react';
import { Badge, Button, Card, CardBody, CardHeader, Flex, SearchField, Text } from '@backstage/ui';
import { useApi } from '@backstage/frontend-plugin-api';
import { mcpActionsApiRef } from '../api/McpActionsClient';
import type { McpServer, McpTool } from '../api/types';
import { SchemaTable } from './SchemaTable';
import { Empty, ErrorState, Loading } from './States';
import { useLoad } from './useLoad';

function matches(tool: McpTool, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  return [tool.name, tool.title, tool.annotations?.title, tool.description]
    .filter(Boolean)
    .some(text => text!.toLowerCase().includes(needle));
}

function ToolCard({ tool }: { tool: McpTool }) {
  const [open, setOpen] = useState(false);
  const title = tool.title ?? tool.annotations?.title ?? tool.name;
  const hints = tool.annotations ?? {};
  return (
    <Card>
      <CardHeader>
        <Flex justify="between" align="center">
          <Flex direction="column" gap="0.5">
            <Text as="h4" variant="title-x-small" weight="bold">
              {title}
            </Text>
            <Text as="span" variant="body-small" color="secondary">
              <code>{tool.name}</code>
            </Text>
          </Flex>
          <Flex gap="1" align="center">
            {hints.readOnlyHint && <Badge size="small">read-only</Badge>}
            {hints.destructiveHint && <Badge size="small">destructive</Badge>}
            {hints.idempotentHint && <Badge size="small">idempotent</Badge>}
          </Flex>
        </Flex>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="2">
          {tool.description && <Text as="p">{tool.description}</Text>}
          <div>
            <Button
              size="small"
              variant="tertiary"
              onPress={() => setOpen(o => !o)}
              aria-expanded={open}
            >
              {open ? 'Hide inputs' : 'Show inputs'}
            </Button>
          </div>
          {open && <SchemaTable schema={tool.inputSchema} label={`Inputs of ${tool.name}`} />}
        </Flex>
      </CardBody>
    </Card>
  );
}

/** The tools the signed-in user sees on one server, with a filter box. */
export function ToolList({ server }: { server: McpServer }) {
  const api = useApi(mcpActionsApiRef);
  const tools = useLoad(() => api.getTools(server.key), [api, server.key]);
  const [filter, setFilter] = useState('');
  const shown = useMemo(
    () => (tools.value?.tools ?? []).filter(tool => matches(tool, filter)),
    [tools.value, filter],
  );
  if (tools.loading && !tools.value) return <Loading label={`Loading the tools of ${server.name}`} />;
  if (tools.error) {
    return (
      <ErrorState
        title={`Could not load the tools of ${server.name}`}
        error={tools.error}
        hint="The backend could not list your actions. Try again; if it persists, the platform team finds the cause in the backend log (plugin mcp-actions)."
        onRetry={tools.reload}
      />
    );
  }
  const all = tools.value?.tools ?? [];
  if (all.length === 0) {
    return (
      <Empty
        title="No tools for you on this server"
        hint="You see the actions your permissions allow, among those the server's filter (mcpActions.servers) and backend.actions.pluginSources offer. Ask your platform team which plugins' actions are served."
      />
    );
  }
  return (
    <Flex direction="column" gap="3">
      <SearchField
        label="Filter tools"
        placeholder="Name, title or description"
        value={filter}
        onChange={setFilter}
      />
      <Text as="p" variant="body-small" color="secondary">
        {shown.length === all.length
          ? `${all.length} tools`
          : `${shown.length} of ${all.length} tools match "${filter}"`}
      </Text>
      {shown.length === 0 ? (
        <Empty title={`No tool matches "${filter}"`} hint="Try fewer or other words." />
      ) : (
        shown.map(tool => <ToolCard key={tool.name} tool={tool} />)
      )}
    </Flex>
  );
}
