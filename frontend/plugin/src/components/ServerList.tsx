import { useState } from 'react';
import { Badge, Button, Card, CardBody, CardHeader, Flex, Text } from '@backstage/ui';
import type { McpServer, ServersResponse } from '../api/types';
import { ToolList } from './ToolList';

const TRANSPORTS: Record<string, string> = {
  'streamable-http': 'Streamable HTTP',
  sse: 'HTTP+SSE (legacy)',
};

function toolCount(server: McpServer): string {
  if (server.toolCount === undefined || server.toolCount === null) return 'tools unknown';
  return server.toolCount === 1 ? '1 tool' : `${server.toolCount} tools`;
}

function ServerCard({
  server,
  protocolVersions,
  open,
  onToggle,
}: {
  server: McpServer;
  protocolVersions: string[];
  open: boolean;
  onToggle: () => void;
}) {
  return (
    <Card>
      <CardHeader>
        <Flex justify="between" align="center">
          <Flex direction="column" gap="0.5">
            <Text as="h3" variant="title-small" weight="bold">
              {server.name}
            </Text>
            <Text as="span" variant="body-small" color="secondary">
              <code>{server.url}</code>
            </Text>
          </Flex>
          <Badge>{toolCount(server)}</Badge>
        </Flex>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="2">
          {server.description && <Text as="p">{server.description}</Text>}
          {server.error && (
            <Text as="p" color="danger">
              Could not count your tools: {server.error}
            </Text>
          )}
          <Text as="p" variant="body-small" color="secondary">
            Transports: {server.transports.map(t => TRANSPORTS[t] ?? t).join(', ')}. MCP revisions:{' '}
            {protocolVersions.join(', ')}. Tool discovery:{' '}
            {server.toolDiscovery === 'search'
              ? 'search (three tools find and call the others)'
              : 'all tools listed'}
            .
          </Text>
          <div>
            <Button size="small" variant="secondary" onPress={onToggle} aria-expanded={open}>
              {open ? 'Hide tools' : `Show tools of ${server.name}`}
            </Button>
          </div>
          {open && <ToolList server={server} />}
        </Flex>
      </CardBody>
    </Card>
  );
}

/** Every server, with the number of tools the signed-in user sees; each opens to its tools. */
export function ServerList({ data }: { data: ServersResponse }) {
  const [open, setOpen] = useState<string | null | undefined>(
    data.servers.length === 1 ? data.servers[0].key : undefined,
  );
  return (
    <Flex direction="column" gap="3">
      {data.servers.map(server => (
        <ServerCard
          key={server.key ?? ''}
          server={server}
          protocolVersions={data.protocolVersions}
          open={open === server.key}
          onToggle={() => setOpen(current => (current === server.key ? undefined : server.key))}
        />
      ))}
    </Flex>
  );
}
