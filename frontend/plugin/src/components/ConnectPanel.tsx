import { useEffect, useState } from 'react';
import {
  Alert,
  Card,
  CardBody,
  CardHeader,
  Flex,
  Select,
  Switch,
  Text,
} from '@backstage/ui';
import type { McpServer, ServersResponse } from '../api/types';

/** The Select's key of the server at `/v1`. */
const DEFAULT_SERVER = '/v1';
import { clientSetups, TOKEN_ENV } from './clients';
import { CopyButton } from './CopyButton';

function AuthNote({ auth }: { auth: ServersResponse['auth'] }) {
  if (auth.oauth) {
    return (
      <Alert
        status="success"
        title="Your client logs in with your Backstage account"
        description="No token to copy: on first use the client opens Backstage, you sign in and approve it, and its calls run as you."
      />
    );
  }
  return (
    <Alert
      status="warning"
      title="Your client needs a token"
      description={
        auth.staticTokens
          ? `This Backstage accepts static tokens: ask your platform team for one (they configure them under backend.auth.externalAccess) and put it in the environment variable ${TOKEN_ENV}. Calls then run as that token's service principal, not as you. To log in as yourself instead, the platform team enables auth.experimentalClientIdMetadataDocuments in the auth backend.`
          : `This Backstage offers MCP clients neither a login nor static tokens. Ask your platform team to enable client ID metadata documents (auth.experimentalClientIdMetadataDocuments) or static clients in the auth backend, or to configure a static token under backend.auth.externalAccess.`
      }
    />
  );
}

/** One panel per client, with the exact text for this Backstage and the server chosen. */
export function ConnectPanel({ data }: { data: ServersResponse }) {
  const keyOf = (s: McpServer) => s.key ?? DEFAULT_SERVER;
  const [key, setKey] = useState<string>(data.servers[0] ? keyOf(data.servers[0]) : '');
  const server = data.servers.find(s => keyOf(s) === key) ?? data.servers[0];
  const [search, setSearch] = useState(server?.toolDiscovery === 'search');
  const [readOnly, setReadOnly] = useState(false);
  // Another server: its own discovery mode is where the switch starts.
  useEffect(() => setSearch(server?.toolDiscovery === 'search'), [server]);
  if (!server) return null;
  const setups = clientSetups({
    server,
    auth: data.auth,
    toolDiscovery: search ? 'search' : 'all',
    readOnly,
  });
  return (
    <Flex direction="column" gap="3">
      <AuthNote auth={data.auth} />
      <Flex gap="4" align="end">
        {data.servers.length > 1 && (
          <Select
            label="Server"
            selectedKey={key}
            onSelectionChange={value => setKey(String(value))}
            options={data.servers.map(s => ({ value: keyOf(s), label: s.name }))}
          />
        )}
        <Switch label="Tool search (X-MCP-Tools: search)" isSelected={search} onChange={setSearch} />
        <Switch label="Read-only (X-MCP-Readonly)" isSelected={readOnly} onChange={setReadOnly} />
      </Flex>
      {setups.map(setup => (
        <Card key={setup.id}>
          <CardHeader>
            <Flex justify="between" align="center">
              <Flex direction="column" gap="0.5">
                <Text as="h3" variant="title-x-small" weight="bold">
                  {setup.title}
                </Text>
                <Text as="span" variant="body-small" color="secondary">
                  {setup.where}
                </Text>
              </Flex>
              <CopyButton text={setup.text} label={`Copy the ${setup.title} setup`} />
            </Flex>
          </CardHeader>
          <CardBody>
            <Flex direction="column" gap="2">
              <pre className="mcp-actions-snippet" data-client={setup.id}>
                {setup.text}
              </pre>
              <Text as="p" variant="body-small">
                {setup.next}
              </Text>
            </Flex>
          </CardBody>
        </Card>
      ))}
    </Flex>
  );
}
