import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from './support/demo';

// The MCP Inspector's CLI with --strict (npm @modelcontextprotocol/inspector 2.12.0, installed
// by `npm test` into the tools cache: MCP_INSPECTOR) on the demo backend as a user starts it:
// with the default portable schemas it finds nothing; with `mcpActions.schemas: asis` it finds
// what Backstage's own catalog actions declare.

const INSPECTOR = process.env.MCP_INSPECTOR ?? '';
const TOKEN = 'inspector-test-token-0123456789';
const demos: RunningDemo[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'mcp-inspector-'));

afterAll(async () => {
  await Promise.all(demos.map(d => d.stop()));
  rmSync(scratch, { recursive: true, force: true });
});

/** The demo, with an extra app-config when given. */
async function demo(extraConfig?: string): Promise<{ url: string; log: () => string }> {
  const configs: string[] = [];
  if (extraConfig) {
    const file = join(scratch, `extra-${demos.length}.yaml`);
    writeFileSync(file, extraConfig);
    configs.push(file);
  }
  const running = await startDemo(TOKEN, configs);
  demos.push(running);
  return { url: running.url, log: running.output };
}

interface Finding {
  rule: string;
  severity: string;
  schema: string;
  path: string;
}

async function strict(url: string) {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [INSPECTOR, '--cli', url, '--transport', 'http', '--method', 'tools/list', '--strict', '--format', 'json', '--header', `Authorization: Bearer ${TOKEN}`],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const out = JSON.parse(stdout) as {
    result: { tools: { name: string }[] };
    schemaFindings?: { toolName: string; findings: Finding[] }[];
  };
  return { tools: out.result.tools.map(t => t.name), findings: out.schemaFindings ?? [], stderr };
}

describe('the MCP Inspector --strict on the demo', () => {
  it('has the Inspector to run', () => {
    expect(INSPECTOR, 'npm test installs it; or set MCP_INSPECTOR to its clients/launcher/build/index.js').not.toBe('');
    expect(existsSync(INSPECTOR)).toBe(true);
  });

  it('finds nothing in the portable schemas and both findings when they are served as declared', async () => {
    const [portable, asis] = await Promise.all([demo(), demo('mcpActions:\n  schemas: asis\n')]);
    const ours = await strict(portable.url);
    expect(ours.tools).toContain('catalog.query-catalog-entities');
    expect(ours.tools.length).toBeGreaterThanOrEqual(13);
    expect(ours.findings).toEqual([]);
    expect(ours.stderr).not.toContain('Warning');

    const declared = await strict(asis.url);
    expect(declared.tools).toEqual(ours.tools);
    expect(
      declared.findings.map(f => [f.toolName, f.findings.map(x => `${x.severity} ${x.rule} ${x.schema}`)]),
    ).toEqual([
      ['catalog.query-catalog-entities', ['warning type-union inputSchema']],
      ['catalog.validate-entity', ['warning untyped-schema outputSchema']],
    ]);
    expect(declared.stderr).toContain('0 errors, 2 warnings across 2 tools.');

    // The catalog query's recursive filter refs stay as declared, which is plain JSON Schema
    // the strict check accepts: nothing for the operator to act on, so no warning either.
    await strict(portable.url);
    expect(portable.log()).not.toContain('cannot be made wholly portable');
    expect(asis.log()).not.toContain('portable');
  }, 120_000);
});
