import { build } from 'esbuild';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Build step for the hub's page (`npm run build`, after the daemon's bundle): bundles daemon/page/ui with
 * esbuild (Preact + htm, no JSX step) into dist/page: index.html, assets/app-<hash>.js and .css (cached for
 * good: the hash changes with the content), and assets/micWorklet.js (a fixed name the page asks the
 * AudioWorklet for). Nothing comes from a CDN at run time. The first view's gzipped size (index.html, the
 * script and the style, what a browser fetches before it shows anything) is printed, and the build fails
 * past FIRST_VIEW_LIMIT: the budget is 100 KB.
 */
const FIRST_VIEW_LIMIT = 100 * 1024;
const root = fileURLToPath(new URL('../../../', import.meta.url));
const src = `${root}daemon/page/ui/`;
const out = `${root}dist/page/`;

await rm(out, { recursive: true, force: true });
await mkdir(`${out}assets`, { recursive: true });

const result = await build({
  entryPoints: { app: `${src}main.ts` },
  outdir: `${out}assets`,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  tsconfig: `${src}tsconfig.json`,
});
const css = await build({
  entryPoints: { app: `${src}page.css` },
  outdir: `${out}assets`,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  metafile: true,
  logLevel: 'warning',
});
await copyFile(`${src}micWorklet.js`, `${out}assets/micWorklet.js`);

const js = Object.keys(result.metafile.outputs).find((f) => f.endsWith('.js'))!;
const style = Object.keys(css.metafile.outputs).find((f) => f.endsWith('.css'))!;
const page = (await readFile(`${src}index.html`, 'utf8'))
  .replace('{{js}}', `/assets/${basename(js)}`)
  .replace('{{css}}', `/assets/${basename(style)}`);
await writeFile(`${out}index.html`, page);

let firstView = 0;
const sizes: string[] = [];
for (const file of ['index.html', ...(await readdir(`${out}assets`)).map((f) => `assets/${f}`)]) {
  const gz = gzipSync(await readFile(`${out}${file}`), { level: 9 }).length;
  if (!file.includes('micWorklet')) firstView += gz;
  sizes.push(`${file} ${(gz / 1024).toFixed(1)} KB`);
}
console.log(`page: first view ${(firstView / 1024).toFixed(1)} KB gzipped (limit ${FIRST_VIEW_LIMIT / 1024} KB): ${sizes.join(', ')}`);
if (firstView > FIRST_VIEW_LIMIT) throw new Error(`the page's first view is ${firstView} bytes gzipped, over ${FIRST_VIEW_LIMIT}`);
