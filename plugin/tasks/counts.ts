import type { Knex } from 'knex';
import type { RateCountRow, UsageRow } from '../../index';

// Rows of the policies the team running the plugin sets: rate counts (mcpActions.rateLimits)
// and usage (mcpActions.usage), kept beside the tasks in the plugin's database.

export const RATES = 'mcp_actions_rate_counts';
export const USAGE = 'mcp_actions_usage';

/**
 * Rate-limit leases, in one transaction: per row, give back `release` calls, then grant up to
 * `want` more without passing `limit` (the engine's rule, `src/policy/store.rs`, applied where
 * the count is locked). Every replica claims from the same row, so together they never grant
 * more than the limit.
 */
export async function claimRates(knex: Knex, rows: RateCountRow[]): Promise<RateCountRow[]> {
  return knex.transaction(async trx => {
    const answered: RateCountRow[] = [];
    for (const r of rows) {
      const key = { rule: r.rule, principal: r.principal, window_start_ms: r.windowStartMs };
      await trx(RATES)
        .insert({ ...key, count: 0, expires_ms: r.expiresMs })
        .onConflict(['rule', 'principal', 'window_start_ms'])
        .ignore();
      const row = await trx(RATES).where(key).forUpdate().first('count');
      const count = Number(row?.count ?? 0);
      const kept = Math.max(0, count - r.release);
      const granted = Math.max(0, Math.min(r.want, r.limit - kept));
      if (kept + granted !== count) {
        await trx(RATES).where(key).update({ count: kept + granted });
      }
      answered.push({ ...r, granted, count: kept + granted });
    }
    return answered;
  });
}

interface StoredUsageRow {
  id: string;
  minute_ms: number | string;
  server: string;
  tool: string;
  principal: string;
  client: string;
  client_version: string;
  outcome: string;
  calls: number | string;
  duration_ms: number | string;
  result_bytes: number | string;
  buckets: string;
}

function fromUsageRow(row: StoredUsageRow): UsageRow {
  return {
    id: row.id,
    minuteMs: Number(row.minute_ms),
    server: row.server,
    tool: row.tool,
    principal: row.principal,
    client: row.client,
    clientVersion: row.client_version,
    outcome: row.outcome,
    calls: Number(row.calls),
    durationMs: Number(row.duration_ms),
    resultBytes: Number(row.result_bytes),
    buckets: JSON.parse(row.buckets) as number[],
  };
}

/**
 * A replica's usage batch, in one transaction: each row's numbers added to the stored row of
 * its key (created when missing; another replica may create it first).
 */
export async function addUsage(knex: Knex, rows: UsageRow[]): Promise<void> {
  await knex.transaction(async trx => {
    for (const r of rows) {
      await trx(USAGE)
        .insert({
          id: r.id,
          minute_ms: r.minuteMs,
          server: r.server,
          tool: r.tool,
          principal: r.principal,
          client: r.client,
          client_version: r.clientVersion,
          outcome: r.outcome,
          calls: 0,
          duration_ms: 0,
          result_bytes: 0,
          buckets: '[]',
        })
        .onConflict('id')
        .ignore();
      const row = await trx<StoredUsageRow>(USAGE).where({ id: r.id }).forUpdate().first();
      const buckets = JSON.parse(row?.buckets ?? '[]') as number[];
      const added = r.buckets.map((n, i) => n + (buckets[i] ?? 0));
      await trx(USAGE)
        .where({ id: r.id })
        .update({
          calls: Number(row?.calls ?? 0) + r.calls,
          duration_ms: Number(row?.duration_ms ?? 0) + r.durationMs,
          result_bytes: Number(row?.result_bytes ?? 0) + r.resultBytes,
          buckets: JSON.stringify(added),
        });
    }
  });
}

/** The usage rows of minutes from `sinceMs` on, of `principal` only when given. */
export async function readUsage(knex: Knex, sinceMs: number, principal?: string): Promise<UsageRow[]> {
  const query = knex<StoredUsageRow>(USAGE).where('minute_ms', '>=', sinceMs);
  if (principal) query.andWhere({ principal });
  return (await query.select()).map(fromUsageRow);
}
