import type { UsageNumbers, UsageOutcome, UsagePeriod } from '../../api/types';

/** Every outcome, in the order the charts stack them, with its label and colour. */
export const OUTCOMES: Array<{ key: UsageOutcome; label: string; color: string }> = [
  { key: 'success', label: 'Success', color: '#2e7d32' },
  { key: 'tool_error', label: 'Tool error', color: '#e65100' },
  { key: 'protocol_error', label: 'Protocol error', color: '#c62828' },
  { key: 'rate_limited', label: 'Rate limited', color: '#6a1b9a' },
  { key: 'read_only', label: 'Read-only', color: '#455a64' },
  { key: 'permission', label: 'Permission denied', color: '#ad1457' },
  { key: 'secrets_missing', label: 'Secrets missing', color: '#1565c0' },
  { key: 'unconfirmed', label: 'Not confirmed', color: '#827717' },
];

export const PERIODS: Array<{ value: UsagePeriod; label: string }> = [
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
];

/** The outcomes that happened at all in `rows`: the chart's bars and legend leave out the rest. */
export function outcomesIn(rows: UsageNumbers[]) {
  return OUTCOMES.filter(o => rows.some(r => (r.byOutcome[o.key] ?? 0) > 0));
}

/** Calls refused before the action ran: rate limited, read-only, permission, secrets missing, not confirmed. */
export function refused(row: UsageNumbers): number {
  const b = row.byOutcome;
  return b.rate_limited + b.read_only + b.permission + b.secrets_missing + (b.unconfirmed ?? 0);
}

/** The label of a point of the series: an hour for 24 h, a day and hour for 7 d, a day for 30 d. */
export function pointLabel(start: string, period: UsagePeriod): string {
  const date = new Date(start);
  if (period === '24h') {
    return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  }
  if (period === '7d') {
    return `${date.toLocaleDateString(undefined, { weekday: 'short' })} ${date.toLocaleTimeString(
      undefined,
      { hour: '2-digit', minute: '2-digit' },
    )}`;
  }
  return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export function percent(rate: number): string {
  if (rate === 0) return '0 %';
  if (rate < 0.001) return '< 0.1 %';
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)} %`;
}

/** p95 from the histogram's bucket bound: `≤ 25 ms`; over the last bound (a minute): `> 60 s`. */
export function p95(row: UsageNumbers): string {
  if (row.calls === 0) return '–';
  if (row.p95Ms === null) return '> 60 s';
  return row.p95Ms < 1000 ? `≤ ${row.p95Ms} ms` : `≤ ${row.p95Ms / 1000} s`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Save `blob` as a file named `name`, as a browser download. */
export function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
