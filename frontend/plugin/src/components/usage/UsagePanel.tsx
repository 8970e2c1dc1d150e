import { useEffect, useState } from 'react';
import { Alert, Button, Card, CardBody, Flex, Select, Text } from '@backstage/ui';
import { useApi } from '@backstage/frontend-plugin-api';
import { mcpActionsApiRef } from '../../api/McpActionsClient';
import type {
  ServersResponse,
  UsagePeriod,
  UsageQuery,
  UsageReport,
  UsageScope,
} from '../../api/types';
import { Empty, ErrorState, Loading } from '../States';
import { useLoad } from '../useLoad';
import { count, p95, percent, PERIODS, refused, saveFile } from './format';
import { CallsOverTime, TopChart } from './UsageCharts';
import { ClientsTable, LimitsTable, PrincipalsTable, ToolsTable } from './UsageTables';

/** The Select key of "no filter". */
const ANY = '*';
/** The usage API's name of the default server (it has no key). */
const DEFAULT_SERVER = '/v1';

/** Names seen in any report so far, so a filter keeps offering the others once one is chosen. */
function useSeen(names: string[] | undefined) {
  const [seen, setSeen] = useState<string[]>([]);
  useEffect(() => {
    if (!names?.length) return;
    setSeen(old => {
      const next = Array.from(new Set([...old, ...names])).sort();
      return next.length === old.length ? old : next;
    });
  }, [names]);
  return seen;
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card className="mcp-actions-stat" aria-label={label}>
      <CardBody>
        <Text as="p" variant="body-small" color="secondary">
          {label}
        </Text>
        <Text as="p" variant="title-small" weight="bold" data-stat={label}>
          {value}
        </Text>
      </CardBody>
    </Card>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Flex direction="column" gap="2">
      <Text as="h3" variant="title-x-small" weight="bold">
        {title}
      </Text>
      {children}
    </Flex>
  );
}

/** The report: totals, charts and tables; the empty state when nothing was called. */
function Report({ report }: { report: UsageReport }) {
  const all = report.scope === 'all';
  const { totals } = report;
  const period = PERIODS.find(p => p.value === report.period)?.label.toLowerCase();
  return (
    <Flex direction="column" gap="4">
      <Flex gap="3" className="mcp-actions-stats">
        <Stat label="Calls" value={count(totals.calls)} />
        <Stat label="Error rate" value={percent(totals.errorRate)} />
        <Stat label="p95 duration" value={p95(totals)} />
        <Stat label="Rate limited" value={count(totals.byOutcome.rate_limited)} />
        <Stat label="Other refusals" value={count(refused(totals) - totals.byOutcome.rate_limited)} />
      </Flex>
      {!all && (
        <Section title="Your rate limits">
          <LimitsTable limits={report.limits} />
        </Section>
      )}
      {totals.calls === 0 ? (
        <Empty
          title={all ? `No tool calls in the ${period}` : `You made no tool calls in the ${period}`}
          hint="Calls made through any MCP client appear here within about 10 seconds. Choose a longer period or fewer filters to see more."
        />
      ) : (
        <>
          <CallsOverTime report={report} />
          <TopChart
            id="tools"
            title="Top tools"
            rows={report.tools}
            name={r => (r.server ? `${r.server} · ${r.tool}` : r.tool)}
          />
          {all && report.principals && (
            <TopChart id="principals" title="Top principals" rows={report.principals} name={r => r.principal} />
          )}
          {all && (
            <TopChart
              id="clients"
              title="Top clients"
              rows={report.clients}
              name={r => (r.version ? `${r.client} ${r.version}` : r.client)}
            />
          )}
          <Section title="By tool">
            <ToolsTable rows={report.tools} />
          </Section>
          {all && report.principals && (
            <Section title="By principal">
              <PrincipalsTable rows={report.principals} />
            </Section>
          )}
          <Section title={all ? 'By client' : 'Your clients'}>
            <ClientsTable rows={report.clients} label={all ? 'Usage by client' : 'Your clients'} />
          </Section>
        </>
      )}
    </Flex>
  );
}

/**
 * The Usage tab: the signed-in user's own tool calls, and, for holders of the permission
 * `mcp-actions.usage.read`, everyone's, with filters and a CSV download.
 */
export function UsagePanel({ servers }: { servers: ServersResponse }) {
  const api = useApi(mcpActionsApiRef);
  const [scope, setScope] = useState<UsageScope>('mine');
  const [period, setPeriod] = useState<UsagePeriod>('24h');
  const [server, setServer] = useState(ANY);
  const [tool, setTool] = useState(ANY);
  const [principal, setPrincipal] = useState(ANY);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<Error | undefined>();
  const query: UsageQuery = {
    scope,
    period,
    server: server === ANY ? undefined : server,
    tool: tool === ANY ? undefined : tool,
    principal: scope === 'all' && principal !== ANY ? principal : undefined,
  };
  const usage = useLoad(() => api.getUsage(query), [api, scope, period, server, tool, principal]);
  const report = usage.value;
  // Kept across a failed load, so that "Whose calls" stays to switch back.
  const [mayReadAll, setMayReadAll] = useState(false);
  useEffect(() => {
    if (report) setMayReadAll(report.mayReadAll);
  }, [report]);
  const tools = useSeen(report?.tools.map(t => t.tool));
  const principals = useSeen(report?.principals?.map(p => p.principal));

  const download = () => {
    setDownloading(true);
    setDownloadError(undefined);
    api.getUsageCsv(query).then(
      blob => {
        setDownloading(false);
        saveFile(blob, `mcp-actions-usage-${scope}-${period}.csv`);
      },
      error => {
        setDownloading(false);
        setDownloadError(error as Error);
      },
    );
  };

  if (report && !report.enabled) {
    return (
      <Empty
        title="Usage is not recorded on this Backstage"
        hint="The platform team turns it on with mcpActions.usage.enabled (on by default)."
      />
    );
  }
  const option = (value: string, label = value) => ({ value, label });
  return (
    <Flex direction="column" gap="4">
      <Text as="p" variant="body-small" color="secondary">
        Every tool call, counted per minute by tool, caller, client and outcome: names and
        numbers only, never arguments or results. This page is at most about 10 seconds behind.
      </Text>
      <Flex gap="3" align="end" className="mcp-actions-filters">
        {(mayReadAll || scope === 'all') && (
          <Select
            label="Whose calls"
            selectedKey={scope}
            onSelectionChange={v => setScope(v as UsageScope)}
            options={[option('mine', 'Only mine'), option('all', 'Everyone')]}
          />
        )}
        <Select
          label="Period"
          selectedKey={period}
          onSelectionChange={v => setPeriod(v as UsagePeriod)}
          options={PERIODS.map(p => option(p.value, p.label))}
        />
        {servers.servers.length > 1 && (
          <Select
            label="Server"
            selectedKey={server}
            onSelectionChange={v => setServer(String(v))}
            options={[
              option(ANY, 'All servers'),
              ...servers.servers.map(s => option(s.key ?? DEFAULT_SERVER, s.name)),
            ]}
          />
        )}
        <Select
          label="Tool"
          selectedKey={tool}
          onSelectionChange={v => setTool(String(v))}
          options={[option(ANY, 'All tools'), ...tools.map(t => option(t))]}
        />
        {scope === 'all' && (
          <Select
            label="Principal"
            selectedKey={principal}
            onSelectionChange={v => setPrincipal(String(v))}
            options={[option(ANY, 'Everyone'), ...principals.map(p => option(p))]}
          />
        )}
        <Button size="small" variant="secondary" onPress={usage.reload}>
          Refresh
        </Button>
        <Button size="small" variant="secondary" isPending={downloading} onPress={download}>
          Download CSV
        </Button>
      </Flex>
      {downloadError && (
        <Alert status="danger" title="Could not download the usage" description={downloadError.message} />
      )}
      {usage.loading && !report && <Loading label="Loading the usage" />}
      {usage.error && (
        <ErrorState
          title="Could not load the usage"
          error={usage.error}
          hint="Usage is kept in the plugin's database. Try again; if it persists, the platform team finds the cause in the backend log (plugin mcp-actions)."
          onRetry={usage.reload}
        />
      )}
      {report && !usage.error && (
        <div aria-busy={usage.loading} className="mcp-actions-report">
          <Report report={report} />
        </div>
      )}
    </Flex>
  );
}
