// The entity table: a list of catalog entities (`catalog.query-catalog-entities`), sortable
// and filterable; a row opens that entity's card by calling the entity tool through the host.

import type { App } from '@modelcontextprotocol/ext-apps';
import './shared/style.css';
import { h, show } from './shared/dom';
import { type Entity, isEntity, refOf, renderCard } from './shared/entity';
import {
  errorBox,
  pageConfig,
  resultData,
  resultError,
  startView,
  type ToolResult,
} from './shared/view';

const root = document.getElementById('root')!;
const config = pageConfig();

interface Column {
  label: string;
  value: (e: Entity) => string;
}

const spec = (e: Entity, key: string) => {
  const v = e.spec?.[key];
  return typeof v === 'string' ? v : '';
};

const COLUMNS: Column[] = [
  { label: 'Name', value: e => e.metadata?.title ?? e.metadata?.name ?? '' },
  { label: 'Kind', value: e => e.kind ?? '' },
  { label: 'Type', value: e => spec(e, 'type') },
  { label: 'Owner', value: e => spec(e, 'owner') },
  { label: 'Lifecycle', value: e => spec(e, 'lifecycle') },
  { label: 'System', value: e => spec(e, 'system') },
];

interface TableState {
  entities: Entity[];
  total: number;
  more: boolean;
  filter: string;
  sort: number;
  descending: boolean;
}

function matches(entity: Entity, filter: string): boolean {
  if (!filter) return true;
  const haystack = [
    ...COLUMNS.map(c => c.value(entity)),
    entity.metadata?.name ?? '',
    entity.metadata?.description ?? '',
    ...(entity.metadata?.tags ?? []),
  ]
    .join(' ')
    .toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .every(word => haystack.includes(word));
}

function rows(state: TableState): Entity[] {
  const column = COLUMNS[state.sort];
  const sorted = state.entities
    .filter(e => matches(e, state.filter))
    .sort((a, b) => column.value(a).localeCompare(column.value(b), undefined, { numeric: true }));
  return state.descending ? sorted.reverse() : sorted;
}

/** Calls the entity tool through the host and shows that entity's card. */
async function openEntity(app: App, state: TableState, entity: Entity): Promise<void> {
  const ref = refOf(entity);
  const back = h('button', { className: 'back', type: 'button', onclick: () => renderTable(app, state) }, '← Back to the list');
  if (!config.entityTool) {
    return show(root, back, errorBox('This server has no entity tool to open the entity with.'));
  }
  show(root, back, h('p', { className: 'muted' }, `Opening ${ref.name}…`));
  try {
    const result = (await app.callServerTool({
      name: config.entityTool,
      arguments: { kind: ref.kind, namespace: ref.namespace, name: ref.name },
    })) as ToolResult;
    const error = resultError(result);
    const data = resultData(result);
    if (error !== undefined) return show(root, back, errorBox(error));
    if (!isEntity(data)) return show(root, back, errorBox('The entity tool did not return an entity.'));
    show(root, back, renderCard(data, app, config));
  } catch (err) {
    show(root, back, errorBox(`The entity could not be opened: ${err instanceof Error ? err.message : String(err)}`));
  }
}

function renderTable(app: App, state: TableState): void {
  const shown = rows(state);
  const tbody = h(
    'tbody',
    {},
    ...shown.map(entity =>
      h(
        'tr',
        {
          tabindex: 0,
          'data-entity-ref': `${(entity.kind ?? '').toLowerCase()}:${entity.metadata?.namespace ?? 'default'}/${entity.metadata?.name ?? ''}`,
          onclick: () => void openEntity(app, state, entity),
          onkeydown: (event: Event) => {
            if ((event as KeyboardEvent).key === 'Enter') void openEntity(app, state, entity);
          },
        },
        ...COLUMNS.map(c => h('td', { 'data-label': c.label }, c.value(entity))),
      ),
    ),
  );
  const header = h(
    'tr',
    {},
    ...COLUMNS.map((c, i) =>
      h(
        'th',
        { 'aria-sort': state.sort === i ? (state.descending ? 'descending' : 'ascending') : 'none' },
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              state.descending = state.sort === i ? !state.descending : false;
              state.sort = i;
              renderTable(app, state);
            },
          },
          c.label,
          state.sort === i ? (state.descending ? ' ▼' : ' ▲') : '',
        ),
      ),
    ),
  );
  const filter = h('input', {
    type: 'search',
    className: 'filter',
    placeholder: 'Filter',
    'aria-label': 'Filter entities',
    value: state.filter,
  });
  filter.addEventListener('input', () => {
    state.filter = filter.value;
    renderTable(app, state);
    const again = root.querySelector<HTMLInputElement>('input.filter');
    again?.focus();
    again?.setSelectionRange(again.value.length, again.value.length);
  });
  const more = state.more ? ` (the catalog has ${state.total}; ask for the next page to see more)` : '';
  show(
    root,
    h(
      'div',
      { className: 'toolbar' },
      filter,
      h('span', { className: 'count', role: 'status' }, `${shown.length} of ${state.entities.length} entities${more}`),
    ),
    h('div', { className: 'scroll' }, h('table', { className: 'entities' }, h('thead', {}, header), tbody)),
  );
}

void startView('mcp-actions-entity-table', (result, app) => {
  const error = resultError(result);
  if (error !== undefined) return show(root, errorBox(error));
  const data = resultData(result) as { items?: unknown[]; totalItems?: number; hasMoreEntities?: boolean };
  const items = Array.isArray(data?.items) ? data.items.filter(isEntity) : undefined;
  if (!items) return show(root, errorBox('The tool did not return a list of catalog entities.'));
  renderTable(app, {
    entities: items,
    total: typeof data.totalItems === 'number' ? data.totalItems : items.length,
    more: data.hasMoreEntities === true,
    filter: '',
    sort: 0,
    descending: false,
  });
});
