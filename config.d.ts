// Configuration schema of @mcp-actions-rs/plugin-mcp-actions-backend. Backstage validates
// app-config against it. The official keys of @backstage/plugin-mcp-actions-backend keep
// their meaning, so app-config written for the official plugin works unchanged; the keys
// marked "ours" are additions.

export interface Config {
  mcpActions?: {
    /**
     * Name of the default MCP server (`/v1`), reported as `serverInfo.name`.
     * @default backstage
     */
    name?: string;

    /**
     * Description of the default server, reported as `serverInfo.description`.
     */
    description?: string;

    /**
     * Instructions for the model, returned by the default server's initialize result.
     */
    instructions?: string;

    /**
     * Whether tool names carry their plugin: `catalog.get-catalog-entity` (true) or
     * `get-catalog-entity` (false). With false, two plugins' actions of the same name
     * collide (resolved with a warning) and every tools/call needs the action list.
     * @default true
     */
    namespacedToolNames?: boolean;

    /**
     * Ours. What joins plugin and action in a namespaced tool name: `.` gives
     * `catalog.get-catalog-entity`, `_` gives `catalog_get-catalog-entity`, `__` gives
     * `catalog__get-catalog-entity` (for clients that warn about or reject dots).
     * @default .
     */
    toolNameSeparator?: '.' | '_' | '__';

    /**
     * Ours. Tools per `tools/list` page; clients follow `nextCursor` for the rest.
     * A whole number from 1 to 10000.
     * @default 500
     */
    toolsPageSize?: number;

    /**
     * How clients find the tools. `all`: every tool in `tools/list`, as the official
     * plugin does. `search`: `tools/list` answers three tools instead, `search_tools`,
     * `describe_tools` and `call_tool`, which search, describe and call the caller's own
     * tools, so the model's context holds three definitions however many tools there are.
     * A client may choose per request with the header `X-MCP-Tools: all|search`.
     * @default all
     */
    toolDiscovery?: 'all' | 'search';

    /**
     * Tool schemas as clients get them. `portable`: each input and output schema is
     * rewritten, when the tool list is built, into the part of JSON Schema every major
     * client maps without loss (a `type` list becomes `anyOf`, local `$ref`s are inlined,
     * a schema with no keyword says "any value" explicitly, draft-04 bounds are updated,
     * `$schema` goes); what a schema accepts does not change. `asis`: as the actions
     * declare them.
     * @default portable
     */
    schemas?: 'portable' | 'asis';

    /** Tracing of tool calls. */
    tracing?: {
      capture?: {
        /**
         * Put each call's arguments and result on its span
         * (`gen_ai.tool.call.arguments`, `gen_ai.tool.call.result`). They may hold
         * sensitive data.
         * @default false
         */
        toolPayload?: boolean;
      };
    };

    /**
     * Ours. Browser origins allowed to call (DNS-rebinding protection, a MUST of MCP).
     * Requests without an `Origin` header (non-browser clients) always pass. Default: the
     * origins of `backend.baseUrl` and `app.baseUrl`, and localhost / 127.0.0.1 / [::1] on
     * any port. A configured list is exact; `*` turns the check off.
     */
    allowedOrigins?: string[];

    /**
     * Ours. Seconds a `tools/call` waits for its action (1 to 86400). Past it, the call
     * answers an `isError` result naming the timeout; the action itself may still finish.
     * @default 300
     */
    toolCallTimeout?: number;

    /**
     * Ours. Seconds between `notifications/progress` events (0.1 to 60) for a `tools/call`
     * that carries `_meta.progressToken` and still runs; progress is the elapsed time.
     * @default 5
     */
    progressInterval?: number;

    /**
     * Ours. Seconds to wait for one plugin source's action list (0.1 to 300). A source that
     * has not answered by then is left out of that list (its tools are absent, with a
     * warning), so one slow plugin does not hold up the others' tools.
     * @default 10
     */
    sourceListTimeout?: number;

    /** Ours. Limits, each answered precisely when reached. */
    limits?: {
      /**
       * Tool calls one principal may have running at once (0: no limit). One more gets a
       * JSON-RPC error (code -32029) with `data.retryAfterSeconds`.
       * @default 32
       */
      maxConcurrentCallsPerPrincipal?: number;
      /**
       * Largest request body accepted, in bytes (1024 to 104857600); a larger one gets `413`
       * with a JSON-RPC error.
       * @default 4194304
       */
      maxRequestBodyBytes?: number;
    };

    /**
     * Ours. Rate limits per caller: each rule counts the `tools/call`s it matches, per
     * principal, in fixed windows, for the whole deployment (replicas share the counts
     * through the plugin's database). Every matching rule counts; a caller over any of them
     * gets HTTP `429` and JSON-RPC error -32023 with `data.retryAfterMs`, `limit` and
     * `remaining`, and the action does not run. Off when empty. A rule that cannot work stops
     * the plugin at startup with an error naming it.
     */
    rateLimits?: Array<{
      /** Named in refusals, audit events and logs; unique. */
      name: string;
      /**
       * Glob over the caller as the plugin names it: `user:<entity ref>` (e.g.
       * `user:default/jane`) or `service:<subject>` (a static token's subject). `*` crosses
       * `/`. Unset: every caller.
       */
      principal?: string;
      /** Glob over tool names (e.g. `platform.*`). Unset: every tool. */
      tool?: string;
      /** The action's attributes the rule is for (unset: any). */
      attributes?: {
        destructive?: boolean;
        readOnly?: boolean;
        idempotent?: boolean;
      };
      /** Only calls to this named server (`mcpActions.servers.<key>`). */
      server?: string;
      /** Calls per window, per caller (1 to 1000000000). */
      limit: number;
      /** The window: a whole number and a unit, `30s`, `1m`, `1h`, `1d` (up to `31d`). */
      window: string;
    }>;

    /**
     * Ours. Calls a person confirms before they run: a call that matches an entry (the match
     * keys of the rate-limit rules) asks its caller first, through MCP form elicitation
     * (2026-07-28: the `input_required` answer and its retry; a 2025 session whose client
     * declared `elicitation`: `elicitation/create` down its stream), or, when the client
     * cannot ask, on the page at `/mcp-actions` (Pending confirmations). Declined, or not
     * answered in time, the action does not run. A confirmation is for that caller, that
     * tool and those exact arguments, once, within 10 minutes. Off when empty.
     */
    confirm?: Array<{
      /** Named in audit events (`confirm[0]`, ... when unset). */
      name?: string;
      /** Glob over the caller (`user:<entity ref>`, `service:<subject>`): who is asked at all. */
      principal?: string;
      /** Glob over tool names (e.g. `platform.restart-deployment`). */
      tool?: string;
      /** The action's attributes the entry is for, e.g. `{ destructive: true }`. */
      attributes?: {
        destructive?: boolean;
        readOnly?: boolean;
        idempotent?: boolean;
      };
      /** Only calls to this named server (`mcpActions.servers.<key>`). */
      server?: string;
    }>;

    /**
     * Ours. How long a 2025 session's client has to answer a confirmation asked down its
     * stream, in seconds (1 to 900); then the call does not run.
     * @default 120
     */
    confirmTimeout?: number;

    /**
     * Ours. MCP Apps views (the extension `io.modelcontextprotocol/ui`): clients that render
     * them (Claude, VS Code Copilot, ChatGPT, Goose, ...) show a tool's result as a view beside
     * the answer; the text the model reads stays the same. Built in: an entity card for
     * `catalog.get-catalog-entity`, an entity table for `catalog.query-catalog-entities`.
     */
    apps?: {
      /**
       * Offer the views. When false, no tool names a view and no `ui://` resource exists.
       * @default true
       */
      enabled?: boolean;
      /**
       * Which tools show which view, first match wins (before the built-in ones). Each entry
       * has `tool`, a glob over tool names (e.g. `my-plugin.*`), and either `file`, the path
       * of a self-contained HTML file (relative to the backend's working directory; served
       * as a `ui://mcp-actions/views/...` resource), or `view`: `result` (the built-in view
       * of any structured output: labelled fields, tables, links), `entity-card` or
       * `entity-table`. A file that cannot be read or is not HTML stops the backend at startup.
       */
      views?: Array<{
        tool: string;
        file?: string;
        view?: 'result' | 'entity-card' | 'entity-table';
      }>;
    };

    /**
     * Ours. Usage of the tools: every tool call recorded as names and numbers (time per
     * minute, server, tool, principal, client name and version, outcome, duration, result
     * size; never arguments, results or secrets), aggregated per replica and written to the
     * plugin's database every 5 seconds. The page's Usage API reads it: each signed-in user
     * their own, holders of the permission `mcp-actions.usage.read` everyone's.
     */
    usage?: {
      /**
       * Record usage.
       * @default true
       */
      enabled?: boolean;
      /**
       * Days of usage kept (1 to 3650); older minutes are deleted by the plugin's sweep.
       * @default 30
       */
      retentionDays?: number;
    };

    /**
     * Ours. Result budgets: a tool result whose text is over `maxChars` characters does not
     * reach the model whole. The call answers `isError` with how large it was, the budget,
     * how to narrow the call, the first part of the output, and a `resource_link`; the whole
     * is kept in the plugin's database and its owner (only) reads it with `resources/read`,
     * page by page, from any replica, for `ttlSeconds`.
     */
    results?: {
      /**
       * Characters a result may have (0 turns budgets off). About 20,000 tokens by default.
       * @default 80000
       */
      maxChars?: number;
      /**
       * How long an oversized result stays readable, in seconds (1 to 86400).
       * @default 600
       */
      ttlSeconds?: number;
    };

    /**
     * Secrets of actions (`schema.secrets`): a call without them sends the user to a
     * Backstage page (`/mcp-actions/secrets/{id}` of `@mcp-actions-rs/plugin-mcp-actions`)
     * through MCP URL elicitation; what they submit is sealed (AES-256-GCM) in the plugin's
     * database, used once, for that caller and that action, and never reaches the model.
     */
    secrets?: {
      /**
       * 32 bytes, base64 (`openssl rand -base64 32`). Without it the feature is off and tools
       * whose action needs secrets answer that they cannot run here.
       * @visibility secret
       */
      encryptionKey?: string;
      /** How long a request for secrets, and what the user submitted for it, lasts. Default 300. */
      ttlSeconds?: number;
    };
    /**
     * Ours. MCP Tasks (extension `io.modelcontextprotocol/tasks`, 2026-07-28 clients that
     * declare it): a long `tools/call` is answered with a task the client polls
     * (`tasks/get`) and may cancel (`tasks/cancel`), while the action runs on. Tasks are
     * kept in the plugin's database, so any replica on the same database serves them.
     */
    tasks?: {
      /**
       * Offer tasks: `server/discover` advertises the extension and the plugin keeps a
       * `mcp_actions_tasks` table (migrations ship with the package).
       * @default true
       */
      enabled?: boolean;
      /**
       * Seconds a call of a declaring client waits for its action before it becomes a task
       * (0 to 86400). Calls that answer sooner are answered as usual.
       * @default 5
       */
      promoteAfterSeconds?: number;
      /**
       * Action id globs (`scaffolder:*`) whose calls become tasks at once.
       */
      always?: string[];
      /**
       * Seconds a task and its result can be read after it was created (1 to 2592000); then
       * it reads as unknown and is deleted. An action still running then is given up.
       * @default 3600
       */
      ttlSeconds?: number;
      /**
       * Seconds clients are told to wait between polls (`pollIntervalMs`).
       * @default 2
       */
      pollIntervalSeconds?: number;
      /**
       * Largest result stored, in bytes (1024 to 67108864). A larger one is not stored: the
       * task fails with a message naming this setting.
       * @default 1048576
       */
      maxResultBytes?: number;
      /**
       * Seconds between heartbeats of the instance running a task. A working task silent for
       * three heartbeats reads `failed` ("the backend instance running this task stopped
       * before it finished").
       * @default 10
       */
      heartbeatSeconds?: number;
      /**
       * Seconds between sweeps of expired tasks (one replica at a time, through the
       * scheduler).
       * @default 300
       */
      sweepIntervalSeconds?: number;
    };

    /** Ours. Caches. */
    cache?: {
      /**
       * Seconds a principal's tool list on a server is reused (0 turns it off). A tool
       * added, removed or newly permitted shows up after at most this long; calls are
       * always checked by the registry, whatever the cache holds.
       * @default 5
       */
      toolListTtl?: number;
    };

    /**
     * Ours. Remembers which credentials Backstage's httpAuth gave a bearer token, so a busy
     * client does not pay for authentication on every request. Keyed by a SHA-256 of the
     * token (never the token); an entry lives until the token's `exp` (JWTs) or
     * `opaqueTokenTtlSeconds` (other tokens), and is dropped when an action answers 401.
     */
    credentialsCache?: {
      /**
       * Tokens remembered at most; 0 turns the cache off.
       * @default 1000
       */
      maxEntries?: number;
      /**
       * How long an opaque (non-JWT) token is remembered, in seconds (1 to 3600).
       * @default 60
       */
      opaqueTokenTtlSeconds?: number;
    };

    /**
     * Ours. Sessions: the legacy HTTP+SSE transport (`/v1[/{key}]/sse`) and stateful
     * Streamable HTTP. Every session belongs to the principal that opened it.
     */
    sessions?: {
      /**
       * Stateful Streamable HTTP: `Mcp-Session-Id` on initialize, a GET stream, DELETE to
       * end. Off by default: stateless works behind any load balancer without sticky
       * sessions.
       * @default false
       */
      stateful?: boolean;
      /**
       * The 2024-11-05 HTTP+SSE transport at `/api/mcp-actions/v1/sse` (and
       * `/v1/{key}/sse`), for clients that speak nothing newer.
       * @default true
       */
      legacySse?: boolean;
      /**
       * Open sessions of both kinds, across all principals; more get `503`.
       * @default 10000
       */
      maxSessions?: number;
      /**
       * Open sessions per principal; more get `429`.
       * @default 100
       */
      maxSessionsPerPrincipal?: number;
      /**
       * A session with no request for this many seconds ends, and its stream with it.
       * @default 1800
       */
      idleTimeoutSeconds?: number;
      /**
       * Seconds between keep-alive comments on open streams (so proxies keep them open).
       * @default 15
       */
      keepAliveSeconds?: number;
    };

    /**
     * Named MCP servers, each served at `/api/mcp-actions/v1/{key}` with its own identity
     * and a filter over the actions. A key is lowercase letters, digits and hyphens
     * (`^[a-z0-9][a-z0-9-]*$`) and is not `sse`. The default server `/v1` always serves
     * every action.
     */
    servers?: {
      [key: string]: {
        /** `serverInfo.name` of this server. */
        name: string;
        /** `serverInfo.description` of this server. */
        description?: string;
        /** Instructions for the model, in this server's initialize result. */
        instructions?: string;
        /**
         * `all` or `search` for this server (see `mcpActions.toolDiscovery`, whose value
         * it takes when unset).
         */
        toolDiscovery?: 'all' | 'search';
        /** This server's result budget (see `mcpActions.results`). */
        results?: {
          /** Characters a result may have on this server (0: none). */
          maxChars?: number;
        };
        /**
         * Which actions this server offers. A rule matches when its `id` glob (minimatch:
         * `*`, `**`, `?`, `[...]`, `{a,b}`) matches the action id and every attribute it
         * names has that value. Exclude wins; no include rules means every action that is
         * not excluded.
         */
        filter?: {
          include?: Array<{
            id?: string;
            attributes?: {
              destructive?: boolean;
              readOnly?: boolean;
              idempotent?: boolean;
            };
          }>;
          exclude?: Array<{
            id?: string;
            attributes?: {
              destructive?: boolean;
              readOnly?: boolean;
              idempotent?: boolean;
            };
          }>;
        };
      };
    };
  };
}
