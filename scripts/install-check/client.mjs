// The MCP SDK client (1.x, this repository's devDependency) against a backend made by
// @backstage/create-app: `node client.mjs URL TOKEN`. Prints what it checked; exits 1 on the
// first thing an adopter would notice is wrong.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, token] = process.argv.slice(2);
const fail = message => {
  console.error(`install check FAILED: ${message}`);
  process.exit(1);
};

const client = new Client({ name: 'install-check', version: '1.0.0' });
await client.connect(
  new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  }),
);
const server = client.getServerVersion();
console.log(`connected: serverInfo ${JSON.stringify(server)}`);

const { tools } = await client.listTools();
const names = tools.map(t => t.name);
const catalog = names.filter(n => n.startsWith('catalog.'));
const scaffolder = names.filter(n => n.startsWith('scaffolder.'));
console.log(`tools/list: ${names.length} tools: ${names.join(', ')}`);
for (const expected of ['catalog.get-catalog-entity', 'catalog.query-catalog-entities']) {
  if (!names.includes(expected)) fail(`${expected} is not listed`);
}
if (scaffolder.length === 0) fail('no scaffolder.* tool is listed');
const other = names.filter(n => !n.startsWith('catalog.') && !n.startsWith('scaffolder.'));
if (other.length > 0) fail(`tools from plugins outside pluginSources: ${other.join(', ')}`);
console.log(`catalog tools: ${catalog.length}, scaffolder tools: ${scaffolder.length}`);

// The catalog reads examples/entities.yaml after startup: wait for the entity to appear.
const deadline = Date.now() + 60_000;
let result;
for (;;) {
  result = await client.callTool({
    name: 'catalog.get-catalog-entity',
    arguments: { kind: 'Component', name: 'example-website' },
  });
  if (!result.isError || Date.now() > deadline) break;
  await new Promise(r => setTimeout(r, 500));
}
if (result.isError) fail(`catalog.get-catalog-entity answered an error: ${JSON.stringify(result.content)}`);
const entity = result.structuredContent;
if (entity?.kind !== 'Component' || entity?.metadata?.name !== 'example-website') {
  fail(`catalog.get-catalog-entity returned ${JSON.stringify(result).slice(0, 500)}`);
}
console.log(
  `tools/call catalog.get-catalog-entity: ${entity.kind} ${entity.metadata.name} (owner ${entity.spec?.owner}, system ${entity.spec?.system})`,
);

// MCP Apps: the tool names its view and the view is in the installed package.
const card = tools.find(t => t.name === 'catalog.get-catalog-entity')?._meta?.ui?.resourceUri;
if (card !== 'ui://mcp-actions/entity-card.html') fail(`catalog.get-catalog-entity names no entity card: ${card}`);
const view = (await client.readResource({ uri: card })).contents[0];
if (view?.mimeType !== 'text/html;profile=mcp-app' || !view.text?.startsWith('<!DOCTYPE html>')) {
  fail(`resources/read ${card} answered ${JSON.stringify(view).slice(0, 300)}`);
}
console.log(`resources/read ${card}: ${view.text.length} characters of ${view.mimeType}`);

const missing = await client.callTool({
  name: 'catalog.get-catalog-entity',
  arguments: { kind: 'Component', name: 'no-such-entity' },
});
const text = missing.content?.[0]?.text ?? '';
if (!missing.isError || !text.startsWith('InputError: No entity found')) {
  fail(`a missing entity answered ${JSON.stringify(missing)}`);
}
console.log(`tools/call for a missing entity: isError, "${text}"`);
await client.close();
