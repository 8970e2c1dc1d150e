// Builds each MCP Apps view into one self-contained HTML file (views/dist/<name>.html): the
// TypeScript and CSS bundled and minified by esbuild, inlined into the document. The engine
// reads these files at startup. Prints each view's size.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
    plugins: [englishOnly],
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
  console.log(`views/dist/${name}.html: ${(Buffer.byteLength(html) / 1024).toFixed(1)} KB`);
}
