import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ActionsService } from '@backstage/backend-plugin-api/alpha';
import { ForwardedError, isError } from '@backstage/errors';
import {
  McpEngine,
  type EngineOptions,
  type HostOutcome,
  type InvokeRequest,
  type LogRecord,
} from '../../index';
import type { CredentialsTable } from './credentials';
import type { StreamTable } from './streams';

/**
 * The Backstage error a failure stands for: `ResponseError`s from the actions registry and
 * `ForwardedError`s are unwrapped to the cause the registry reported (`InputError`, ...).
 */
function describeFailure(error: unknown): HostOutcome {
  let err: unknown = error;
  while (
    isError(err) &&
    (err.name === 'ResponseError' || err instanceof ForwardedError) &&
    isError(err.cause)
  ) {
    err = err.cause;
  }
  if (isError(err)) {
    return { errorName: err.name, errorMessage: err.message };
  }
  return { errorName: 'Error', errorMessage: String(err) };
}

const expired: HostOutcome = {
  errorName: 'AuthenticationError',
  errorMessage: 'the request that carried these credentials has ended',
};

/** The engine over the actions service. Callbacks resolve, never reject. */
export function createEngine(options: {
  options: EngineOptions;
  actions: ActionsService;
  credentials: CredentialsTable;
  streams: StreamTable;
  logger: LoggerService;
}): McpEngine {
  const { actions, credentials, logger } = options;

  const listActions = async (handle: number): Promise<HostOutcome> => {
    const caller = credentials.get(handle);
    if (!caller) return expired;
    try {
      return { json: JSON.stringify(await actions.list({ credentials: caller })) };
    } catch (error) {
      return describeFailure(error);
    }
  };

  const invokeAction = async (request: InvokeRequest): Promise<HostOutcome> => {
    const caller = credentials.get(request.credentials);
    if (!caller) return expired;
    try {
      const { output } = await actions.invoke({
        id: request.actionId,
        input: JSON.parse(request.input),
        credentials: caller,
      });
      return { json: JSON.stringify(output ?? null) };
    } catch (error) {
      const failure = describeFailure(error);
      // Credentials the registry no longer accepts must not be served from the cache.
      if (failure.errorName === 'AuthenticationError' && engine.forgetCredentials(request.credentials)) {
        credentials.release(request.credentials);
      }
      return failure;
    }
  };

  const log = (record: LogRecord): void => {
    const write =
      logger[record.level as 'error' | 'warn' | 'info' | 'debug'] ??
      logger.info;
    write.call(logger, record.message, record.fields);
  };

  const engine: McpEngine = new McpEngine(
    options.options,
    listActions,
    invokeAction,
    log,
    options.streams.deliver,
  );
  return engine;
}
