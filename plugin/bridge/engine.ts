import type { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import type {
  ActionsService,
  TracingService,
  TracingServiceAttributes,
} from '@backstage/backend-plugin-api/alpha';
import { ForwardedError, isError } from '@backstage/errors';
import type {
  EngineOptions,
  HostOutcome,
  InvokeRequest,
  LogRecord,
  TaskStoreReply,
  TaskStoreRequest,
} from '../../index';
import { McpEngine } from '../native';
import type { CredentialsTable } from './credentials';
import type { RegistryClient } from './registry';
import type { RequestTable } from './requests';
import type { StreamTable } from './streams';

/** Longest baggage value copied onto a span. */
const BAGGAGE_VALUE_MAX = 256;

/** The request's `gen_ai.*` baggage (agent, conversation, model), as span attributes. */
function baggageAttributes(
  tracing: TracingService,
  context: ReturnType<TracingService['context']['active']>,
): TracingServiceAttributes {
  const attributes: TracingServiceAttributes = {};
  const baggage = tracing.propagation.getBaggage(context);
  for (const [key, entry] of baggage?.getAllEntries() ?? []) {
    if (key.startsWith('gen_ai.')) {
      attributes[key] = entry.value.slice(0, BAGGAGE_VALUE_MAX);
    }
  }
  return attributes;
}

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

/** The output JSON text of a successful call (parsed again only for payload capture). */
function resultOf(outcome: HostOutcome): string {
  if (typeof outcome.json === 'string') return outcome.json;
  try {
    return JSON.stringify((JSON.parse(outcome.response ?? 'null') as { output?: unknown })?.output ?? null);
  } catch {
    return String(outcome.response);
  }
}

const expired: HostOutcome = {
  errorName: 'AuthenticationError',
  errorMessage: 'the request that carried these credentials has ended',
};

/** The engine over the actions service. Callbacks resolve, never reject. */
export function createEngine(options: {
  options: EngineOptions;
  actions: ActionsService;
  /**
   * The registry spoken directly, when `actions` is Backstage's default actions service
   * (which makes the same requests); otherwise calls go through `actions`.
   */
  registry?: RegistryClient;
  credentials: CredentialsTable;
  streams: StreamTable;
  requests: RequestTable;
  tracing: TracingService;
  /** `mcpActions.tracing.capture.toolPayload`: arguments and result on the span. */
  captureToolPayload: boolean;
  /** Where tasks are kept (the plugin's database); none when tasks are off. */
  taskStore?: (request: TaskStoreRequest) => Promise<TaskStoreReply>;
  logger: LoggerService;
}): McpEngine {
  const { actions, registry, credentials, requests, tracing, captureToolPayload, logger } =
    options;

  const listActions = async (handle: number): Promise<HostOutcome> => {
    const caller = credentials.get(handle);
    if (!caller) return expired;
    try {
      if (registry) return await registry.list(caller);
      return { json: JSON.stringify(await actions.list({ credentials: caller })) };
    } catch (error) {
      return describeFailure(error);
    }
  };

  const invokeWith = async (
    caller: BackstageCredentials,
    request: InvokeRequest,
  ): Promise<HostOutcome> => {
    if (registry) return registry.invoke(caller, request.actionId, request.input, request.secrets);
    const { output } = await actions.invoke({
      id: request.actionId,
      input: JSON.parse(request.input),
      ...(request.secrets !== undefined && { secrets: JSON.parse(request.secrets) }),
      credentials: caller,
    });
    return { json: JSON.stringify(output ?? null) };
  };

  const invoke = async (request: InvokeRequest): Promise<HostOutcome> => {
    const caller = credentials.get(request.credentials);
    if (!caller) return expired;
    let outcome: HostOutcome;
    try {
      outcome = await invokeWith(caller, request);
    } catch (error) {
      outcome = describeFailure(error);
    }
    // Credentials the registry no longer accepts must not be served from the cache.
    if (
      outcome.errorName === 'AuthenticationError' &&
      engine.forgetCredentials(request.credentials)
    ) {
      credentials.release(request.credentials);
    }
    return outcome;
  };

  /**
   * The trace a call joins: the HTTP request's, or when its headers carry none, the one the
   * client put in the request's `_meta` (2026-07-28).
   */
  const traceContext = (request: InvokeRequest) => {
    const entry = requests.get(request.ticket);
    const context = entry?.context ?? tracing.context.active();
    if (!request.traceparent || entry?.req.headers.traceparent) return context;
    const carrier: Record<string, string> = { traceparent: request.traceparent };
    if (request.tracestate) carrier.tracestate = request.tracestate;
    if (request.baggage) carrier.baggage = request.baggage;
    return tracing.propagation.extract(context, carrier);
  };

  /** One server span per call, `tools/call <tool>`, in the trace of the HTTP request. */
  const invokeAction = async (request: InvokeRequest): Promise<HostOutcome> => {
    const context = traceContext(request);
    return tracing.context.with(context, () =>
      tracing.startActiveSpan(
        `tools/call ${request.toolName}`,
        {
          kind: 'server',
          credentials: credentials.get(request.credentials),
          attributes: {
            ...baggageAttributes(tracing, context),
            'mcp.method.name': 'tools/call',
            'gen_ai.tool.name': request.toolName,
            'gen_ai.operation.name': 'execute_tool',
            'backstage.plugin.id': request.actionId.split(':')[0],
            ...(captureToolPayload && { 'gen_ai.tool.call.arguments': request.input }),
          },
        },
        async span => {
          const outcome = await invoke(request);
          if (typeof (outcome.json ?? outcome.response) === 'string') {
            if (captureToolPayload) span.setAttribute('gen_ai.tool.call.result', resultOf(outcome));
          } else {
            span.setAttribute('error.type', outcome.errorName ?? 'Error');
            span.setStatus({ code: 'error', message: outcome.errorName ?? 'Error' });
          }
          return outcome;
        },
      ),
    );
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
    options.taskStore,
  );
  return engine;
}
