// The result view: any tool's structured output as labelled fields (the output schema's
// titles and descriptions), arrays of objects as tables, URLs and entity references as links.

import type { App } from '@modelcontextprotocol/ext-apps';
import './shared/style.css';
import { h, humanize, show } from './shared/dom';
import { parseRef, pageUrl } from './shared/entity';
import { errorBox, hostLink, pageConfig, resultData, resultError, startView } from './shared/view';

const root = document.getElementById('root')!;
const config = pageConfig();
const MAX_DEPTH = 6;

interface Schema {
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}

const ENTITY_REF = /^[a-z][a-z0-9-]*:[a-z0-9._-]+\/[A-Za-z0-9._-]+$/i;

function scalar(app: App, value: unknown): Node {
  if (typeof value === 'string') {
    if (/^https?:\/\/\S+$/.test(value)) return hostLink(app, value, value);
    const ref = ENTITY_REF.test(value) ? parseRef(value, 'Component') : undefined;
    const url = ref && pageUrl(config, ref);
    if (url) return hostLink(app, url, value);
    return document.createTextNode(value);
  }
  if (value === null || value === undefined) return h('span', { className: 'muted' }, '—');
  return h('code', {}, String(value));
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function label(key: string, schema: Schema | undefined): Node {
  return h('dt', { title: schema?.description }, schema?.title ?? humanize(key));
}

function table(app: App, items: Array<Record<string, unknown>>, schema: Schema | undefined, depth: number): Node {
  const keys = [...new Set(items.flatMap(item => Object.keys(item)))];
  return h(
    'div',
    { className: 'scroll' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...keys.map(k => h('th', { title: schema?.properties?.[k]?.description }, schema?.properties?.[k]?.title ?? humanize(k))))),
      h(
        'tbody',
        {},
        ...items.map(item =>
          h('tr', {}, ...keys.map(k => h('td', { 'data-label': humanize(k) }, render(app, item[k], schema?.properties?.[k], depth + 1)))),
        ),
      ),
    ),
  );
}

function render(app: App, value: unknown, schema: Schema | undefined, depth: number): Node {
  if (depth > MAX_DEPTH) return h('code', {}, JSON.stringify(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return h('span', { className: 'muted' }, 'none');
    if (value.every(isRecord)) return table(app, value, schema?.items, depth);
    return h('ul', {}, ...value.map(v => h('li', {}, render(app, v, schema?.items, depth + 1))));
  }
  if (isRecord(value)) {
    return h(
      'dl',
      { className: 'fields' },
      ...Object.entries(value).map(([key, v]) =>
        h(
          'div',
          // Tables and nested fields take the whole width.
          { className: typeof v === 'object' && v !== null ? 'field wide' : 'field' },
          label(key, schema?.properties?.[key]),
          h('dd', {}, render(app, v, schema?.properties?.[key], depth + 1)),
        ),
      ),
    );
  }
  return scalar(app, value);
}

void startView('mcp-actions-result', (result, app) => {
  const error = resultError(result);
  if (error !== undefined) return show(root, errorBox(error));
  const tool = app.getHostContext()?.toolInfo?.tool;
  const schema = tool?.outputSchema as Schema | undefined;
  show(
    root,
    h('article', { className: 'card' }, h('header', {}, h('h1', {}, tool?.title ?? tool?.name ?? 'Result')), render(app, resultData(result), schema, 0)),
  );
});
