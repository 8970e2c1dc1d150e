// Backstage catalog entities: references, page URLs, and the entity card.

import type { App } from '@modelcontextprotocol/ext-apps';
import { h } from './dom';
import { hostLink, type PageConfig } from './view';

export interface Entity {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    title?: string;
    description?: string;
    tags?: string[];
    links?: Array<{ url?: string; title?: string }>;
  };
  spec?: Record<string, unknown>;
  relations?: Array<{ type?: string; targetRef?: string }>;
}

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

export function isEntity(value: unknown): value is Entity {
  if (!value || typeof value !== 'object') return false;
  const e = value as Entity;
  return typeof e.kind === 'string' && typeof e.metadata?.name === 'string';
}

export function refOf(entity: Entity): EntityRef {
  return {
    kind: entity.kind ?? 'Component',
    namespace: entity.metadata?.namespace ?? 'default',
    name: entity.metadata?.name ?? '',
  };
}

/** `kind:namespace/name`; `defaultKind` for a reference that names no kind (owners). */
export function parseRef(ref: string, defaultKind: string): EntityRef | undefined {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!match) return undefined;
  return { kind: match[1] ?? defaultKind, namespace: match[2] ?? 'default', name: match[3] };
}

export function formatRef(ref: EntityRef): string {
  return `${ref.kind.toLowerCase()}:${ref.namespace}/${ref.name}`;
}

/** The entity's page in Backstage: `{app.baseUrl}/catalog/{namespace}/{kind}/{name}`. */
export function pageUrl(config: PageConfig, ref: EntityRef): string | undefined {
  if (!config.appBaseUrl) return undefined;
  const part = (s: string) => encodeURIComponent(s);
  return `${config.appBaseUrl}/catalog/${part(ref.namespace.toLowerCase())}/${part(
    ref.kind.toLowerCase(),
  )}/${part(ref.name)}`;
}

/** A reference shown as a link to its page when the page is known. */
function refLink(app: App, config: PageConfig, ref: string, defaultKind: string): Node {
  const parsed = parseRef(ref, defaultKind);
  const url = parsed && pageUrl(config, parsed);
  const label = parsed ? (parsed.namespace === 'default' ? `${parsed.kind.toLowerCase()}:${parsed.name}` : formatRef(parsed)) : ref;
  return url ? hostLink(app, url, label) : document.createTextNode(label);
}

/** The relations a card shows, in this order, with their labels. */
const RELATIONS: Array<[string, string]> = [
  ['ownedBy', 'Owned by'],
  ['partOf', 'Part of'],
  ['hasPart', 'Has part'],
  ['providesApi', 'Provides API'],
  ['consumesApi', 'Consumes API'],
  ['apiProvidedBy', 'API provided by'],
  ['dependsOn', 'Depends on'],
  ['dependencyOf', 'Dependency of'],
  ['memberOf', 'Member of'],
  ['hasMember', 'Has member'],
  ['parentOf', 'Parent of'],
  ['childOf', 'Child of'],
];

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

function openButton(app: App, url: string): HTMLElement {
  const link = hostLink(app, url, 'Open in Backstage');
  link.className = 'open';
  return link;
}

export function renderCard(entity: Entity, app: App, config: PageConfig): HTMLElement {
  const ref = refOf(entity);
  const spec = entity.spec ?? {};
  const meta = entity.metadata ?? {};
  const url = pageUrl(config, ref);
  const field = (label: string, value: Node | string | undefined) =>
    value === undefined
      ? null
      : h('div', { className: 'field' }, h('dt', {}, label), h('dd', {}, value));
  const owner = text(spec.owner);
  const system = text(spec.system);
  const relations = RELATIONS.map(([type, label]) => {
    const targets = (entity.relations ?? [])
      .filter(r => r.type === type && typeof r.targetRef === 'string')
      .map(r => r.targetRef as string);
    if (targets.length === 0) return null;
    return field(
      label,
      h('span', { className: 'refs' }, ...targets.map(t => refLink(app, config, t, 'Component'))),
    );
  }).filter(Boolean);
  const links = (meta.links ?? []).filter(l => typeof l.url === 'string' && /^https?:\/\//.test(l.url));
  return h(
    'article',
    { className: 'card', 'data-entity-ref': formatRef(ref) },
    h(
      'header',
      {},
      h('span', { className: 'badge' }, ref.kind + (text(spec.type) ? ` · ${spec.type}` : '')),
      h('h1', {}, meta.title ?? ref.name),
      h('code', { className: 'ref' }, formatRef(ref)),
    ),
    text(meta.description) ? h('p', { className: 'description' }, meta.description!) : null,
    h(
      'dl',
      { className: 'fields' },
      field('Owner', owner ? refLink(app, config, owner, 'Group') : undefined),
      field('System', system ? refLink(app, config, system, 'System') : undefined),
      field('Lifecycle', text(spec.lifecycle)),
      field('Type', text(spec.type)),
      field('Namespace', ref.namespace),
    ),
    meta.tags?.length
      ? h('ul', { className: 'tags', 'aria-label': 'Tags' }, ...meta.tags.map(t => h('li', {}, t)))
      : null,
    links.length
      ? h(
          'section',
          {},
          h('h2', {}, 'Links'),
          h('ul', { className: 'links' }, ...links.map(l => h('li', {}, hostLink(app, l.url!, l.title ?? l.url!)))),
        )
      : null,
    relations.length ? h('section', {}, h('h2', {}, 'Relations'), h('dl', { className: 'fields' }, relations)) : null,
    url ? h('footer', {}, openButton(app, url)) : null,
  );
}
