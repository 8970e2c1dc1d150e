import { Badge, Text } from '@backstage/ui';
import type {
  UsageClientRow,
  UsageLimit,
  UsageNumbers,
  UsagePrincipalRow,
  UsageToolRow,
} from '../../api/types';
import { count, p95, percent, refused } from './format';

function Table({
  label,
  head,
  rows,
}: {
  label: string;
  head: string[];
  rows: Array<{ key: string; cells: React.ReactNode[] }>;
}) {
  return (
    <table className="mcp-actions-usage" aria-label={label}>
      <thead>
        <tr>
          {head.map(h => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(row => (
          <tr key={row.key}>
            {row.cells.map((cell, i) => (
              <td key={head[i]}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** The numbers every top list shows. */
const numbers = (row: UsageNumbers) => [
  count(row.calls),
  percent(row.errorRate),
  count(row.byOutcome.rate_limited),
  count(refused(row) - row.byOutcome.rate_limited),
];

/** Per tool: calls, error rate, refusals, p95 and mean duration, last call. */
export function ToolsTable({ rows }: { rows: UsageToolRow[] }) {
  return (
    <Table
      label="Usage by tool"
      head={['Tool', 'Server', 'Calls', 'Error rate', 'Rate limited', 'Other refusals', 'p95', 'Mean', 'Last call']}
      rows={rows.map(r => ({
        key: `${r.server ?? ''}/${r.tool}`,
        cells: [
          <code>{r.tool}</code>,
          r.server ?? '/v1',
          ...numbers(r),
          p95(r),
          `${count(r.avgMs)} ms`,
          when(r.lastSeen),
        ],
      }))}
    />
  );
}

/** Per principal (everyone's usage): calls, error rate, refusals, last call. */
export function PrincipalsTable({ rows }: { rows: UsagePrincipalRow[] }) {
  return (
    <Table
      label="Usage by principal"
      head={['Principal', 'Calls', 'Error rate', 'Rate limited', 'Other refusals', 'Last call']}
      rows={rows.map(r => ({
        key: r.principal,
        cells: [<code>{r.principal}</code>, ...numbers(r), when(r.lastSeen)],
      }))}
    />
  );
}

/** Per client name and version (from `clientInfo`): calls and when it was last used. */
export function ClientsTable({ rows, label }: { rows: UsageClientRow[]; label: string }) {
  return (
    <Table
      label={label}
      head={['Client', 'Version', 'Calls', 'Error rate', 'Rate limited', 'Other refusals', 'Last used']}
      rows={rows.map(r => ({
        key: `${r.client}@${r.version}`,
        cells: [r.client, r.version || '–', ...numbers(r), when(r.lastSeen)],
      }))}
    />
  );
}

/** The rate-limit rules that count the signed-in user, and what is left in each window. */
export function LimitsTable({ limits }: { limits: UsageLimit[] }) {
  if (limits.length === 0) {
    return (
      <Text as="p" variant="body-small" color="secondary">
        No rate limit counts your calls.
      </Text>
    );
  }
  return (
    <Table
      label="Your rate limits"
      head={['Rule', 'Tools', 'Server', 'Limit', 'Left now']}
      rows={limits.map(l => ({
        key: l.rule,
        cells: [
          <code>{l.rule}</code>,
          l.tool ? <code>{l.tool}</code> : 'all',
          l.server ?? 'all',
          `${count(l.limit)} calls / ${l.window}`,
          <Badge size="small">{`${count(l.remaining)} of ${count(l.limit)}`}</Badge>,
        ],
      }))}
    />
  );
}
