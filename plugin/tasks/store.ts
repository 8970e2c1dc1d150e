import { resolve } from 'node:path';
import type { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  ElicitationRow,
  ResultRow,
  TaskRow,
  TaskStoreReply,
  TaskStoreRequest,
} from '../../index';
import { CONFIRMATIONS, confirmationOp } from './confirmations';
import { addUsage, claimRates, RATES, readUsage, USAGE } from './counts';

const TABLE = 'mcp_actions_tasks';
const RESULTS = 'mcp_actions_results';
const ELICITATIONS = 'mcp_elicitations';

/** The migrations shipped in the package (`migrations/` beside `dist/`). */
export const MIGRATIONS = resolve(__dirname, '..', '..', 'migrations');

interface Row {
  task_id: string;
  owner: string;
  status: string;
  status_message: string | null;
  created_ms: number | string;
  updated_ms: number | string;
  ttl_ms: number | string;
  expires_ms: number | string;
  poll_interval_ms: number | string;
  heartbeat_ms: number | string;
  payload: string | null;
  tool: string | null;
}

interface StoredResultRow {
  result_id: string;
  owner: string;
  text: string;
  page_chars: number;
  created_ms: number | string;
  expires_ms: number | string;
}

interface StoredElicitationRow {
  elicitation_id: string;
  owner: string;
  action_id: string;
  tool: string;
  action_title: string | null;
  action_description: string | null;
  secrets_schema: string;
  client: string | null;
  csrf_token: string;
  status: string;
  sealed: string | null;
  created_ms: number | string;
  expires_ms: number | string;
}

/** PostgreSQL hands `bigint` columns back as strings. */
const ms = (value: number | string): number => Number(value);

function toRow(task: TaskRow): Row {
  return {
    task_id: task.taskId,
    owner: task.owner,
    status: task.status,
    status_message: task.statusMessage ?? null,
    created_ms: task.createdMs,
    updated_ms: task.updatedMs,
    ttl_ms: task.ttlMs,
    expires_ms: task.expiresMs,
    poll_interval_ms: task.pollIntervalMs,
    heartbeat_ms: task.heartbeatMs,
    payload: task.payload ?? null,
    tool: task.tool ?? null,
  };
}

function fromRow(row: Row): TaskRow {
  return {
    taskId: row.task_id,
    owner: row.owner,
    status: row.status,
    statusMessage: row.status_message ?? undefined,
    createdMs: ms(row.created_ms),
    updatedMs: ms(row.updated_ms),
    ttlMs: ms(row.ttl_ms),
    expiresMs: ms(row.expires_ms),
    pollIntervalMs: ms(row.poll_interval_ms),
    heartbeatMs: ms(row.heartbeat_ms),
    payload: row.payload ?? undefined,
    tool: row.tool ?? undefined,
  };
}

function fromResultRow(row: StoredResultRow): ResultRow {
  return {
    resultId: row.result_id,
    owner: row.owner,
    text: row.text,
    pageChars: Number(row.page_chars),
    createdMs: ms(row.created_ms),
    expiresMs: ms(row.expires_ms),
  };
}

function fromElicitationRow(row: StoredElicitationRow): ElicitationRow {
  return {
    elicitationId: row.elicitation_id,
    owner: row.owner,
    actionId: row.action_id,
    tool: row.tool,
    actionTitle: row.action_title ?? undefined,
    actionDescription: row.action_description ?? undefined,
    secretsSchema: row.secrets_schema,
    client: row.client ?? undefined,
    csrfToken: row.csrf_token,
    status: row.status,
    sealed: row.sealed ?? undefined,
    createdMs: ms(row.created_ms),
    expiresMs: ms(row.expires_ms),
  };
}

/** The plugin's database, migrated (unless Backstage is told to skip migrations). */
export async function openTaskDatabase(database: DatabaseService): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({
      directory: MIGRATIONS,
      tableName: 'mcp_actions_knex_migrations',
    });
  }
  return knex;
}

/**
 * The engine's task store on knex: rows only. Each operation is one statement (or two for
 * the heartbeat), so any replica on the same database sees a task as soon as `create`
 * resolved, and `finish` changes a working row only (whichever replica is first wins). The
 * results over a server's budget are kept beside the tasks, the same way.
 */
export function createTaskStore(
  knex: Knex,
  logger: LoggerService,
): (request: TaskStoreRequest) => Promise<TaskStoreReply> {
  const tasks = () => knex<Row>(TABLE);
  const results = () => knex<StoredResultRow>(RESULTS);
  const elicitations = () => knex<StoredElicitationRow>(ELICITATIONS);
  return async request => {
    switch (request.op) {
      case 'create': {
        await tasks().insert(toRow(request.task!));
        return {};
      }
      case 'load': {
        const row = await tasks().where({ task_id: request.taskId! }).first();
        return { task: row ? fromRow(row) : undefined };
      }
      case 'finish': {
        const changed = await tasks()
          .where({ task_id: request.taskId!, status: 'working' })
          .update({
            status: request.status!,
            status_message: request.statusMessage ?? null,
            payload: request.payload ?? null,
            updated_ms: request.nowMs,
          });
        return { changed: changed > 0 };
      }
      case 'heartbeat': {
        const ids = request.taskIds ?? [];
        await tasks()
          .whereIn('task_id', ids)
          .andWhere({ status: 'working' })
          .update({ heartbeat_ms: request.nowMs });
        const working = await tasks()
          .whereIn('task_id', ids)
          .andWhere({ status: 'working' })
          .select('task_id');
        const alive = new Set(working.map(r => r.task_id));
        return { ended: ids.filter(id => !alive.has(id)) };
      }
      case 'sweep': {
        const count = await tasks().where('expires_ms', '<=', request.nowMs).delete();
        const kept = await results().where('expires_ms', '<=', request.nowMs).delete();
        const asked = await elicitations().where('expires_ms', '<=', request.nowMs).delete();
        const rates = await knex(RATES).where('expires_ms', '<=', request.nowMs).delete();
        const confirms = await knex(CONFIRMATIONS).where('expires_ms', '<=', request.nowMs).delete();
        const swept = count + kept + asked + rates + confirms;
        if (swept > 0) {
          logger.debug(
            `swept ${count} expired MCP tasks, ${kept} results, ${asked} requests for secrets, ${rates} rate counts and ${confirms} confirmations`,
          );
        }
        return { count: swept };
      }
      case 'putResult': {
        const r = request.result!;
        await results().insert({
          result_id: r.resultId,
          owner: r.owner,
          text: r.text,
          page_chars: r.pageChars,
          created_ms: r.createdMs,
          expires_ms: r.expiresMs,
        });
        return {};
      }
      case 'loadResult': {
        const row = await results().where({ result_id: request.resultId! }).first();
        return { result: row ? fromResultRow(row) : undefined };
      }
      case 'list': {
        // The page's list of the owner's tasks: newest first, payloads left out.
        const rows = await tasks()
          .where({ owner: request.owner! })
          .andWhere('expires_ms', '>', request.nowMs)
          .orderBy([
            { column: 'created_ms', order: 'desc' },
            { column: 'task_id', order: 'asc' },
          ])
          .limit(request.limit ?? 50)
          .select(
            'task_id',
            'owner',
            'status',
            'status_message',
            'created_ms',
            'updated_ms',
            'ttl_ms',
            'expires_ms',
            'poll_interval_ms',
            'heartbeat_ms',
            'tool',
          );
        return { tasks: rows.map(row => fromRow({ ...row, payload: null })) };
      }
      case 'createElicitation': {
        const e = request.elicitation!;
        await elicitations().insert({
          elicitation_id: e.elicitationId,
          owner: e.owner,
          action_id: e.actionId,
          tool: e.tool,
          action_title: e.actionTitle ?? null,
          action_description: e.actionDescription ?? null,
          secrets_schema: e.secretsSchema,
          client: e.client ?? null,
          csrf_token: e.csrfToken,
          status: e.status,
          sealed: null,
          created_ms: e.createdMs,
          expires_ms: e.expiresMs,
        });
        return {};
      }
      case 'loadElicitation': {
        const row = await elicitations().where({ elicitation_id: request.elicitationId! }).first();
        return { elicitation: row ? fromElicitationRow(row) : undefined };
      }
      case 'submitElicitation': {
        // Compare-and-set: only a pending, unexpired row takes the sealed secrets.
        const changed = await elicitations()
          .where({ elicitation_id: request.elicitationId!, status: 'pending' })
          .andWhere('expires_ms', '>', request.nowMs)
          .update({ status: 'submitted', sealed: request.sealed! });
        return { changed: changed > 0 };
      }
      case 'takeElicitation': {
        // Used once: the one caller whose update changed the row gets the sealed secrets.
        return knex.transaction(async trx => {
          const row = await trx<StoredElicitationRow>(ELICITATIONS)
            .where({ elicitation_id: request.elicitationId!, status: 'submitted' })
            .andWhere('expires_ms', '>', request.nowMs)
            .first();
          if (!row) return {};
          const changed = await trx<StoredElicitationRow>(ELICITATIONS)
            .where({ elicitation_id: row.elicitation_id, status: 'submitted' })
            .update({ status: 'used', sealed: null });
          return changed > 0 ? { elicitation: fromElicitationRow(row) } : {};
        });
      }
      case 'findElicitation': {
        const row = await elicitations()
          .where({ owner: request.owner!, action_id: request.actionId!, status: 'submitted' })
          .andWhere('expires_ms', '>', request.nowMs)
          .orderBy('created_ms', 'desc')
          .first('elicitation_id');
        return { elicitationId: row?.elicitation_id };
      }
      case 'claimRates':
        return { rateCounts: await claimRates(knex, request.rateCounts ?? []) };
      case 'addUsage':
        await addUsage(knex, request.usage ?? []);
        return {};
      case 'readUsage':
        return { usage: await readUsage(knex, request.nowMs, request.owner ?? undefined) };
      case 'sweepUsage':
        return { count: await knex(USAGE).where('minute_ms', '<', request.nowMs).delete() };
      default: {
        const answer = await confirmationOp(knex, request);
        if (answer) return answer;
        throw new Error(`unknown task store operation "${request.op}"`);
      }
    }
  };
}
