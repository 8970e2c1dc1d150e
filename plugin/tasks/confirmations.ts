import type { Knex } from 'knex';
import type { ConfirmationRow, TaskStoreReply, TaskStoreRequest } from '../../index';

// Confirmations (mcpActions.confirm), kept beside the tasks in the plugin's database. Every
// change is a compare-and-set on the status, so two replicas never both use one.

export const CONFIRMATIONS = 'mcp_actions_confirmations';

interface StoredConfirmationRow {
  confirmation_id: string;
  owner: string;
  binding: string;
  server: string;
  tool: string;
  action_id: string;
  action_title: string | null;
  question: string;
  arguments: string;
  rule: string;
  client: string | null;
  status: string;
  created_ms: number | string;
  expires_ms: number | string;
}

function toRow(c: ConfirmationRow): StoredConfirmationRow {
  return {
    confirmation_id: c.confirmationId,
    owner: c.owner,
    binding: c.binding,
    server: c.server,
    tool: c.tool,
    action_id: c.actionId,
    action_title: c.actionTitle ?? null,
    question: c.question,
    arguments: c.arguments,
    rule: c.rule,
    client: c.client ?? null,
    status: c.status,
    created_ms: c.createdMs,
    expires_ms: c.expiresMs,
  };
}

function fromRow(r: StoredConfirmationRow): ConfirmationRow {
  return {
    confirmationId: r.confirmation_id,
    owner: r.owner,
    binding: r.binding,
    server: r.server,
    tool: r.tool,
    actionId: r.action_id,
    actionTitle: r.action_title ?? undefined,
    question: r.question,
    arguments: r.arguments,
    rule: r.rule,
    client: r.client ?? undefined,
    status: r.status,
    createdMs: Number(r.created_ms),
    expiresMs: Number(r.expires_ms),
  };
}

/** The confirmation operations of the store callback; `undefined` for any other op. */
export async function confirmationOp(
  knex: Knex,
  request: TaskStoreRequest,
): Promise<TaskStoreReply | undefined> {
  const rows = () => knex<StoredConfirmationRow>(CONFIRMATIONS);
  switch (request.op) {
    case 'createConfirmation':
      await rows().insert(toRow(request.confirmation!));
      return {};
    case 'loadConfirmation': {
      const row = await rows().where({ confirmation_id: request.confirmationId! }).first();
      return { confirmation: row ? fromRow(row) : undefined };
    }
    case 'setConfirmation': {
      const changed = await rows()
        .where({
          confirmation_id: request.confirmationId!,
          owner: request.owner!,
          status: request.fromStatus!,
        })
        .andWhere('expires_ms', '>', request.nowMs)
        .update({ status: request.status! });
      return { changed: changed > 0 };
    }
    case 'takeConfirmation':
      // Used once: the one retry whose update changed the row runs the call (confirmed) or
      // hears that it was declined; the row comes back as it was.
      return knex.transaction(async trx => {
        const row = await trx<StoredConfirmationRow>(CONFIRMATIONS)
          .where({ owner: request.owner!, binding: request.binding! })
          .whereIn('status', ['confirmed', 'declined'])
          .andWhere('expires_ms', '>', request.nowMs)
          .orderBy('created_ms', 'desc')
          .first();
        if (!row) return {};
        const changed = await trx<StoredConfirmationRow>(CONFIRMATIONS)
          .where({ confirmation_id: row.confirmation_id, status: row.status })
          .update({ status: 'used' });
        return changed > 0 ? { confirmation: fromRow(row) } : {};
      });
    case 'pendingConfirmations': {
      const found = await rows()
        .where({ owner: request.owner!, status: 'pending' })
        .andWhere('expires_ms', '>', request.nowMs)
        .orderBy([
          { column: 'created_ms', order: 'desc' },
          { column: 'confirmation_id', order: 'asc' },
        ])
        .limit(50);
      return { confirmations: found.map(fromRow) };
    }
    default:
      return undefined;
  }
}
