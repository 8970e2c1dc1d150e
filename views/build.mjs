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

// Stand-ins for modules a view never runs, each replacing the file by its path (zod's `z`
// namespace keeps every export, so leaving a module out means replacing it); whatever is
// left out throws if it ever were called. A plain bundle of a view is about 650 KB.
const STAND_INS = [
  {
    // zod (under the extension's App class) registers the error messages of 40-odd
    // languages; the views use English, so only that one is bundled.
    file: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/,
    contents: 'export { default as en } from "./en.js";',
  },
  {
    // zod's ahead-of-time compiler (z.compile): the App class runs zod jitless, and nothing
    // in a view calls it. The sentinel and error classes keep their identities.
    file: /[\\/]zod[\\/]v4[\\/]core[\\/]compile\.js$/,
    contents: `const absent = () => { throw new Error('z.compile is not in an MCP Apps view'); };
export const INVALID = Symbol.for('zod.compile.invalid');
export class ZodCompileAsyncError extends Error {}
export class ZodCompileUnsupportedError extends Error {}
export const compile = absent, withParser = absent, compileFn = absent;`,
  },
  {
    // zod's JSON Schema to zod converter (z.fromJSONSchema), which nothing in a view calls.
    file: /[\\/]zod[\\/]v4[\\/]classic[\\/]from-json-schema\.js$/,
    contents: `export function fromJSONSchema() { throw new Error('z.fromJSONSchema is not in an MCP Apps view'); }`,
  },
  {
    // The 2.x SDK's JSON Schema validator, for a Client's tool output checks: a view only
    // speaks to its host.
    file: /[\\/]@modelcontextprotocol[\\/]client[\\/]dist[\\/]shimsBrowser\.mjs$/,
    contents: `export const CORS_IS_POSSIBLE = true;
export class DefaultJsonSchemaValidator {
  getValidator() { throw new Error('a view does not validate JSON Schemas'); }
}`,
  },
];

const standIns = {
  name: 'stand-ins',
  setup(b) {
    for (const { file, contents } of STAND_INS) {
      b.onLoad({ filter: file }, args => ({ contents, resolveDir: path.dirname(args.path) }));
    }
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
    plugins: [standIns],
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
