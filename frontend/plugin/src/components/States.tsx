import { Alert, Button, Flex, Skeleton, Text } from '@backstage/ui';

/** What the backend said (a ResponseError's cause), else the error's own message. */
export function messageOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause as { message?: unknown } | undefined;
  if (typeof cause?.message === 'string' && cause.message) return cause.message;
  return error.message;
}

/** Placeholder rows while something loads. */
export function Loading({ label }: { label: string }) {
  return (
    <Flex direction="column" gap="2" aria-busy="true" aria-label={label} role="status">
      <Skeleton width="40%" height={24} />
      <Skeleton width="100%" height={48} />
      <Skeleton width="100%" height={48} />
    </Flex>
  );
}

/** What went wrong, what to do about it, and a way to try again. */
export function ErrorState({
  title,
  error,
  hint,
  onRetry,
}: {
  title: string;
  error: Error;
  hint: string;
  onRetry?: () => void;
}) {
  return (
    <Alert
      status="danger"
      title={title}
      description={
        <Flex direction="column" gap="1">
          <Text as="p">{messageOf(error)}</Text>
          <Text as="p" variant="body-small">
            {hint}
          </Text>
        </Flex>
      }
      customActions={
        onRetry && (
          <Button size="small" variant="secondary" onPress={onRetry}>
            Try again
          </Button>
        )
      }
    />
  );
}

/** Nothing to show, and what would make something appear. */
export function Empty({ title, hint }: { title: string; hint: string }) {
  return <Alert status="info" title={title} description={hint} />;
}
