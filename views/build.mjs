// Builds each MCP Apps view into one self-contained HTML file (views/dist/<name>.html): the
// TypeScript and CSS bundled and minified by esbuild, inlined into the document. The engine
// reads these files at startup. Prints each view's size, and gzipped.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'dist');
const VIEWS = {
  'entity-card': 'Backstage entity',
  'entity-table': 'Backstage entities',
  result: 'Tool result',
};

// zod (under the extension's App class) registers the error messages of 40-odd languages;
// the views use English, so only that one is bundled.
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, args => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: path.dirname(args.path),
    }));
  },
};

// The 2.x SDK's JSON Schema validator (for a Client's tool output checks) is never used by a
// view, which only speaks to its host: a stand-in that says so keeps 22 KB out of each view.
const noSchemaValidator = {
  name: 'no-json-schema-validator',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/client\/_shims$/ }, () => ({ path: 'shims', namespace: 'view-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'view-stub' }, () => ({
      contents: `export const CORS_IS_POSSIBLE = true;
export class DefaultJsonSchemaValidator {
  getValidator() { throw new Error('a view does not validate JSON Schemas'); }
}`,
    }));
  },
};

const escapeScript = js => js.replace(/<\/(script)/gi, '<\\/$1');

await mkdir(out, { recursive: true });
for (const [name, title] of Object.entries(VIEWS)) {
  const result = await build({
    entryPoints: [path.join(here, 'src', `${name}.ts`)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    legalComments: 'none',
    outdir: path.join(here, '.build'),
    write: false,
    plugins: [englishOnly, noSchemaValidator],
    logLevel: 'warning',
  });
  const js = result.outputFiles.find(f => f.path.endsWith('.js'))?.text ?? '';
  const css = result.outputFiles.find(f => f.path.endsWith('.css'))?.text ?? '';
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${title}</title><style>${css}</style></head>` +
    `<body><div id="root"></div><script>${escapeScript(js)}</script></body></html>\n`;
  await writeFile(path.join(out, `${name}.html`), html);
  const kb = n => `${(n / 1024).toFixed(1)} KB`;
  console.log(`views/dist/${name}.html: ${kb(Buffer.byteLength(html))} (${kb(gzipSync(html, { level: 9 }).length)} gzip)`);
}
