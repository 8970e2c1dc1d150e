import { useState } from 'react';
import { Alert, Button, Card, CardBody, CardHeader, Flex, Text } from '@backstage/ui';
import { useApi } from '@backstage/frontend-plugin-api';
import { mcpActionsApiRef } from '../api/McpActionsClient';
import type { PendingConfirmation } from '../api/types';
import { ErrorState, messageOf } from './States';
import { useLoad } from './useLoad';

/** The arguments, indented when they are JSON. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function One({
  confirmation,
  onAnswered,
}: {
  confirmation: PendingConfirmation;
  onAnswered: (c: PendingConfirmation) => void;
}) {
  const api = useApi(mcpActionsApiRef);
  const [pending, setPending] = useState<'confirm' | 'decline' | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const decide = (decision: 'confirm' | 'decline') => {
    setPending(decision);
    setError(undefined);
    api.decideConfirmation(confirmation.id, decision).then(
      answered => {
        setPending(undefined);
        onAnswered(answered);
      },
      e => {
        setPending(undefined);
        setError(e as Error);
      },
    );
  };
  return (
    <Card data-confirmation={confirmation.id}>
      <CardHeader>
        <Text as="h3" variant="title-x-small" weight="bold">
          {confirmation.question}
        </Text>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="2">
          <Text as="p" variant="body-small" color="secondary">
            Tool <code>{confirmation.tool}</code>
            {confirmation.server ? ` on server ${confirmation.server}` : ''}
            {confirmation.client ? `, called from ${confirmation.client}` : ''}, asked{' '}
            {new Date(confirmation.createdAt).toLocaleString()}; the question expires{' '}
            {new Date(confirmation.expiresAt).toLocaleTimeString()}.
          </Text>
          <pre className="mcp-actions-snippet" aria-label={`Arguments of ${confirmation.tool}`}>
            {pretty(confirmation.arguments)}
          </pre>
          {error && (
            <Alert status="danger" title="Could not send your answer" description={messageOf(error)} />
          )}
          <Flex gap="2">
            <Button
              variant="primary"
              isPending={pending === 'confirm'}
              isDisabled={pending !== undefined}
              onPress={() => decide('confirm')}
            >
              Confirm
            </Button>
            <Button
              variant="secondary"
              destructive
              isPending={pending === 'decline'}
              isDisabled={pending !== undefined}
              onPress={() => decide('decline')}
            >
              Decline
            </Button>
          </Flex>
        </Flex>
      </CardBody>
    </Card>
  );
}

/**
 * Tool calls waiting for the signed-in user's confirmation (`mcpActions.confirm`), from
 * clients that cannot ask. Shown above the tabs when there are any; nothing otherwise.
 */
export function Confirmations() {
  const api = useApi(mcpActionsApiRef);
  const list = useLoad(() => api.getConfirmations(), [api]);
  const [answered, setAnswered] = useState<PendingConfirmation[]>([]);
  if (list.error) {
    return (
      <ErrorState
        title="Could not load your pending confirmations"
        error={list.error}
        hint="Confirmations are kept in the plugin's database. Try again; if it persists, the platform team finds the cause in the backend log (plugin mcp-actions)."
        onRetry={list.reload}
      />
    );
  }
  const done = new Set(answered.map(a => a.id));
  const open = (list.value?.confirmations ?? []).filter(c => !done.has(c.id));
  if (open.length === 0 && answered.length === 0) return null;
  return (
    <section aria-label="Pending confirmations">
      <Flex direction="column" gap="3">
        <Flex justify="between" align="center">
          <Text as="h2" variant="title-small" weight="bold">
            Pending confirmations
          </Text>
          <Button size="small" variant="secondary" onPress={list.reload}>
            Refresh
          </Button>
        </Flex>
        {answered.map(a => (
          <Alert
            key={a.id}
            status={a.status === 'confirmed' ? 'success' : 'info'}
            title={a.status === 'confirmed' ? `Confirmed: ${a.question}` : `Declined: ${a.question}`}
            description={
              a.status === 'confirmed'
                ? 'Ask your AI client to call the tool again with the same arguments: it runs once, as you.'
                : 'The call does not run. If your client calls the tool again, it is a new question here.'
            }
          />
        ))}
        {open.length > 0 && (
          <Text as="p" variant="body-small" color="secondary">
            Your AI client called these tools as you, and the platform team asks a person to
            confirm each before it runs. Confirm only calls you expect.
          </Text>
        )}
        {open.map(c => (
          <One key={c.id} confirmation={c} onAnswered={a => setAnswered(old => [...old, a])} />
        ))}
      </Flex>
    </section>
  );
}
