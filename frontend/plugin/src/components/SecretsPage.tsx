import { type FormEvent, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardHeader,
  Container,
  Flex,
  PasswordField,
  Text,
} from '@backstage/ui';
import { useApi } from '@backstage/frontend-plugin-api';
import { useParams } from 'react-router-dom';
import { mcpActionsApiRef } from '../api/McpActionsClient';
import type { ElicitationResponse, JsonSchema } from '../api/types';
import { ErrorState, Loading, messageOf } from './States';
import { useLoad } from './useLoad';

/** The HTTP status of a failed call: a ResponseError's, or guessed from a Backstage error name. */
export function statusOf(error: Error): number | undefined {
  const e = error as Error & {
    statusCode?: unknown;
    response?: { status?: unknown };
    cause?: unknown;
  };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.response?.status === 'number') return e.response.status;
  const cause = e.cause as { name?: unknown } | undefined;
  const name = typeof cause?.name === 'string' ? cause.name : error.name;
  return (
    {
      InputError: 400,
      NotAllowedError: 403,
      NotFoundError: 404,
      ConflictError: 409,
    } as Record<string, number>
  )[name];
}

/** The refusals that end the page, each with what to do next. */
const REFUSALS: Record<number, { title: string; message: string }> = {
  404: {
    title: 'Request not found',
    message:
      'This request has expired or does not exist. Call the tool again from your AI client to get a new link.',
  },
  403: {
    title: 'Not your request',
    message:
      'This request belongs to another user, or to a service (a static token). Only the caller whose AI client called the tool can provide its secrets: sign in to Backstage as that user, or call the tool again from your own AI client. A call made with a static token takes its secrets through the API with that same token, as the tool’s answer says.',
  },
  409: {
    title: 'Already provided',
    message:
      'These secrets were already provided. Nothing more to do here: go back to your AI client. To provide other values, call the tool again from your AI client to get a new link.',
  },
};

interface Field {
  name: string;
  description?: string;
  required: boolean;
}

/** One field per property of the secrets schema, required ones first as the schema lists them. */
export function fieldsOf(schema: JsonSchema | undefined): Field[] {
  const properties = schema?.properties ?? {};
  const required = new Set(Array.isArray(schema?.required) ? schema.required : []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    description:
      typeof property?.description === 'string' && property.description
        ? property.description
        : undefined,
    required: required.has(name),
  }));
}

function formatTime(iso: string): string | undefined {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? undefined : time.toLocaleString();
}

type Outcome =
  | { kind: 'form' }
  | { kind: 'submitted' }
  | { kind: 'cancelled' }
  | { kind: 'refused'; status: number };

function SecretsForm({
  request,
  onDone,
}: {
  request: ElicitationResponse;
  onDone: (outcome: Outcome) => void;
}) {
  const api = useApi(mcpActionsApiRef);
  const fields = fieldsOf(request.secretsSchema);
  // The typed values live here only: never logged, never rendered as text.
  const [values, setValues] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<
    { title: string; message: string; hint?: string } | undefined
  >();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting) return;
    const missing = fields.filter(f => f.required && !values[f.name]).map(f => f.name);
    if (missing.length > 0) {
      setError({
        title: 'Some secrets are missing',
        message: `Fill in ${missing.join(', ')}.`,
      });
      return;
    }
    const secrets: Record<string, string> = {};
    for (const field of fields) {
      const value = values[field.name];
      if (value !== undefined && value !== '') secrets[field.name] = value;
    }
    setSubmitting(true);
    setError(undefined);
    try {
      await api.submitSecrets(request.elicitationId, request.csrfToken, secrets);
      setValues({});
      onDone({ kind: 'submitted' });
    } catch (e) {
      const failure = e as Error;
      const status = statusOf(failure);
      if (status !== undefined && REFUSALS[status]) {
        setValues({});
        onDone({ kind: 'refused', status });
        return;
      }
      setSubmitting(false);
      setError(
        status === 400
          ? {
              title: 'The secrets were not accepted',
              message: messageOf(failure),
              hint: 'Correct the values and submit again.',
            }
          : {
              title: 'Could not send the secrets',
              message: messageOf(failure),
              hint: 'Nothing was stored. Submit again, or reload the page if it keeps failing.',
            },
      );
    }
  };

  const cancel = () => {
    setValues({});
    onDone({ kind: 'cancelled' });
  };

  return (
    <form onSubmit={submit} aria-label="Secrets" noValidate>
      <Flex direction="column" gap="3">
        {fields.length === 0 && (
          <Text as="p" color="secondary">
            This request names no secrets. Submit to let the tool go on.
          </Text>
        )}
        {fields.map(field => (
          <PasswordField
            key={field.name}
            name={field.name}
            label={field.name}
            description={field.description}
            isRequired={field.required}
            autoComplete="off"
            value={values[field.name] ?? ''}
            onChange={value => setValues(v => ({ ...v, [field.name]: value }))}
            isDisabled={submitting}
          />
        ))}
        {error && (
          <Alert
            status="danger"
            role="alert"
            title={error.title}
            description={
              <Flex direction="column" gap="1">
                <Text as="p">{error.message}</Text>
                {error.hint && (
                  <Text as="p" variant="body-small">
                    {error.hint}
                  </Text>
                )}
              </Flex>
            }
          />
        )}
        <Flex gap="2">
          <Button type="submit" variant="primary" isDisabled={submitting}>
            {submitting ? 'Submitting…' : 'Submit'}
          </Button>
          <Button variant="secondary" onPress={cancel} isDisabled={submitting}>
            Cancel
          </Button>
        </Flex>
      </Flex>
    </form>
  );
}

function RequestCard({
  request,
  onDone,
}: {
  request: ElicitationResponse;
  onDone: (outcome: Outcome) => void;
}) {
  const actionName = request.action?.title || request.action?.id || request.tool;
  const expires = formatTime(request.expiresAt);
  return (
    <Card>
      <CardHeader>
        <Flex direction="column" gap="1">
          <Text as="h2" variant="title-small" weight="bold">
            {actionName}
          </Text>
          <Text as="span" variant="body-small" color="secondary">
            Tool <code>{request.tool}</code>
          </Text>
          {request.client && (
            <Text as="span" variant="body-small" color="secondary">
              Requested by {request.client}
            </Text>
          )}
        </Flex>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="3">
          {request.action?.description && <Text as="p">{request.action.description}</Text>}
          <Text as="p" variant="body-small" color="secondary">
            The tool needs these secrets to run as you. They go to Backstage only, for this one
            call; your AI client never sees them.
            {expires && ` This request expires at ${expires}.`}
          </Text>
          <SecretsForm request={request} onDone={onDone} />
        </Flex>
      </CardBody>
    </Card>
  );
}

/**
 * The page at `/mcp-actions/secrets/:elicitationId`: a tool call of the signed-in user waits for
 * credentials; the user types them here and they go straight to the backend.
 */
export function SecretsPage() {
  const { elicitationId = '' } = useParams();
  const api = useApi(mcpActionsApiRef);
  const request = useLoad(() => api.getElicitation(elicitationId), [api, elicitationId]);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'form' });

  let body;
  if (outcome.kind === 'submitted') {
    body = (
      <Alert
        status="success"
        title="Secrets sent"
        description="Secrets sent. Go back to your AI client: it runs the tool now. You can close this page."
      />
    );
  } else if (outcome.kind === 'cancelled') {
    body = (
      <Alert
        status="info"
        title="Cancelled"
        description="Nothing was sent. The tool call in your AI client waits for these secrets until the request expires: open this link again to provide them, or call the tool again later."
      />
    );
  } else if (outcome.kind === 'refused') {
    const refusal = REFUSALS[outcome.status];
    body = <Alert status="warning" title={refusal.title} description={refusal.message} />;
  } else if (request.loading && !request.value) {
    body = <Loading label="Loading the request for secrets" />;
  } else if (request.error) {
    const status = statusOf(request.error);
    const refusal = status !== undefined ? REFUSALS[status] : undefined;
    body = refusal ? (
      <Alert status="warning" title={refusal.title} description={refusal.message} />
    ) : (
      <ErrorState
        title="Could not load the request for secrets"
        error={new Error(messageOf(request.error))}
        hint="The page reads the mcp-actions backend plugin (/api/mcp-actions/v1/elicitations). Check that you are signed in, then try again."
        onRetry={request.reload}
      />
    );
  } else if (request.value) {
    body = <RequestCard request={request.value} onDone={setOutcome} />;
  }

  return (
    <Container my="4">
      <Flex direction="column" gap="4">
        <Text as="h1" variant="title-medium">
          Provide Credentials
        </Text>
        {body}
      </Flex>
    </Container>
  );
}
