import type { ReactNode } from 'react';
import { Text } from '@backstage/ui';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { UsageNumbers, UsageReport } from '../../api/types';
import { outcomesIn, pointLabel } from './format';

/** Axis text and grid in the theme's colours (SVG reads `currentColor` from the figure). */
const TICK = { fill: 'currentColor', fontSize: 12 };
const TOOLTIP = {
  contentStyle: {
    background: 'var(--bui-bg-surface-1, #fff)',
    border: '1px solid var(--bui-border, #ddd)',
    borderRadius: 4,
    color: 'var(--bui-fg-primary, #000)',
  },
  cursor: { fill: 'var(--bui-bg-neutral-2, rgba(0,0,0,0.06))' },
};

/** A chart with its title, sized to its container (with a first size for the first paint). */
function Figure({
  id,
  title,
  height,
  children,
}: {
  id: string;
  title: string;
  height: number;
  children: ReactNode;
}) {
  return (
    <figure className="mcp-actions-chart" data-chart={id} aria-label={title}>
      <figcaption>
        <Text as="h3" variant="title-x-small" weight="bold">
          {title}
        </Text>
      </figcaption>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 640, height }}>
        {children as React.ReactElement}
      </ResponsiveContainer>
    </figure>
  );
}

/** One bar per outcome that happened, stacked, for the rows of `data`. */
function outcomeBars(rows: UsageNumbers[]) {
  return outcomesIn(rows).map(o => (
    <Bar
      key={o.key}
      dataKey={o.key}
      name={o.label}
      stackId="calls"
      fill={o.color}
      isAnimationActive={false}
    />
  ));
}

const flat = <T extends UsageNumbers>(row: T) => ({ ...row, ...row.byOutcome });

/** Calls over the period, one bar per point, stacked by outcome. */
export function CallsOverTime({ report }: { report: UsageReport }) {
  const data = report.series.map(p => ({ ...flat(p), label: pointLabel(p.start, report.period) }));
  return (
    <Figure id="series" title="Calls over time, by outcome" height={280}>
      <BarChart data={data} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--bui-border, #ddd)" />
        <XAxis dataKey="label" tick={TICK} minTickGap={24} />
        <YAxis allowDecimals={false} tick={TICK} width={48} />
        <Tooltip {...TOOLTIP} />
        <Legend itemSorter={null} />
        {outcomeBars(report.series)}
      </BarChart>
    </Figure>
  );
}

/** The busiest rows of a top list as horizontal bars stacked by outcome. */
export function TopChart<T extends UsageNumbers>({
  id,
  title,
  rows,
  name,
}: {
  id: string;
  title: string;
  rows: T[];
  name: (row: T) => string;
}) {
  const top = rows.slice(0, 10);
  const data = top.map(r => ({ ...flat(r), name: name(r) }));
  return (
    <Figure id={id} title={title} height={Math.max(120, top.length * 32 + 64)}>
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, left: 8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="var(--bui-border, #ddd)" />
        <XAxis type="number" allowDecimals={false} tick={TICK} />
        <YAxis type="category" dataKey="name" tick={TICK} width={200} interval={0} />
        <Tooltip {...TOOLTIP} />
        <Legend itemSorter={null} />
        {outcomeBars(top)}
      </BarChart>
    </Figure>
  );
}
