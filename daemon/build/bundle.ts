import { build, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Build step (`npm run build`, after tsc and the schemas): bundles the compiled daemon and its dependencies
 * into dist/bundle/ (cli.js, the sampler worker, chunks for what the CLI loads on demand, and start.vm.js, the
 * start path as one script for the V8 code cache: see below). Node then
 * reads a handful of files at start instead of some 400 modules: start → listening drops by about a third
 * (the bench measures it), which is what a Pi restarted by systemd waits for.
 *
 * The bundle is whitespace-minified (no comments; names are kept, so stack traces still name functions) and
 * pure ASCII: V8 keeps a script's source in memory for as long as it runs, one byte a character when every
 * character fits, two bytes otherwise. One "°" in a regular expression doubled the main chunk's 0.9 MB;
 * esbuild escapes strings but not regular expressions, so write those with \u escapes (the build says where).
 *
 * A CommonJS package loaded with `await import()` becomes a chunk whose only export is `default` (esbuild's
 * wrapper), while unbundled Node also names its exports: read such a module through both (requestPool.ts's
 * undiciExport), and test it through the bundle (test/attacks/plugins.test.ts runs api.cloud.request there).
 *
 * Not bundled: the plugins (loaded from dist/plugins by path, as third-party ones are), and modules loaded
 * with createRequire (systeminformation in the worker, Ajv for plugin config schemas, node-cron, nunjucks'
 * parser for HA templates), which stay in node_modules and load at first use. What `start` evaluates before
 * `listening` is checked by test/integration/startup.test.ts (no commander, yaml, nunjucks, OpenTelemetry).
 */
const dist = fileURLToPath(new URL('../../', import.meta.url));

/**
 * prom-client's process-CPU metric requires @opentelemetry/api (43 KB, evaluated at every start) for one
 * thing: exemplars, which the hub never enables (`enableExemplars` is nowhere in daemon/). The stub gives
 * the two calls that path makes an answer of "no span", so even if exemplars were switched on the metric
 * would count as before, only without trace ids.
 */
const noOpenTelemetry: Plugin = {
  name: 'no-opentelemetry',
  setup(b) {
    b.onResolve({ filter: /^@opentelemetry\/api$/ }, () => ({ path: 'otel-stub', namespace: 'voicehub-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'voicehub-stub' }, () => ({
      contents: 'module.exports = { context: { active: () => undefined }, trace: { getSpan: () => undefined } };',
      loader: 'js',
    }));
  },
};

/** The Chinese folding scan's characters, computed here once instead of at the hub's first Chinese text (daemon/intents/chineseScript.ts). */
const { foldableCharacters } = await import('../intents/chineseScript.js');
const foldable = JSON.stringify([...foldableCharacters()].join(''));

/**
 * The `debug` package (mqtt-packet's parser and writer, aedes, the MQTT client) is a function that does nothing
 * unless `DEBUG` is set when the hub starts. The real one is called for every packet field parsed or written,
 * and disabled it still gathers its arguments into an array each time: 1.5 KB of the ~24 KB an utterance
 * allocates (V8's allocation sampler at 400 utterances/s), so more young-generation scavenges. With `DEBUG`
 * set the real package is loaded and behaves as unbundled (`DEBUG=mqtt-packet:* voicehub start`).
 */
const quietDebug: Plugin = {
  name: 'quiet-debug',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'voicehub-debug' }));
    b.onLoad({ filter: /.*/, namespace: 'voicehub-debug' }, () => ({
      contents: `
        function createDebug(namespace) {
          function debug() {}
          debug.namespace = namespace;
          debug.enabled = false;
          debug.useColors = false;
          debug.log = function () {};
          debug.destroy = function () {};
          debug.extend = function (sub, delimiter) { return createDebug(namespace + (delimiter === undefined ? ':' : delimiter) + sub); };
          return debug;
        }
        createDebug.enable = function () {};
        createDebug.disable = function () { return ''; };
        createDebug.enabled = function () { return false; };
        createDebug.names = [];
        createDebug.skips = [];
        createDebug.formatters = {};
        createDebug.debug = createDebug.default = createDebug;
        module.exports = process.env.DEBUG ? require('debug/src/index.js') : createDebug;
      `,
      resolveDir: fileURLToPath(new URL('../../../', import.meta.url)),
      loader: 'js',
    }));
  },
};

/**
 * ws (its client side) and prom-client (its Pushgateway) require node:https and node:tls when they load, for
 * code the hub reaches only with a cloud link or never: loading TLS was 5-12 ms of every start's CPU before
 * `listening`. For those two packages each is a stand-in that requires the real module at its first property
 * read (`https.request`, `tls.connect`), which is all they do with them.
 */
const lazyTls: Plugin = {
  name: 'lazy-tls',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(https|tls)$/ }, (args) => {
      if (args.namespace === 'voicehub-lazy') return { path: args.path, external: true };
      if (!/[\\/]node_modules[\\/](ws|prom-client)[\\/]/.test(args.importer)) return undefined;
      return { path: args.path.replace(/^node:/, ''), namespace: 'voicehub-lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'voicehub-lazy' }, (args) => ({
      contents: `
        let real;
        const load = () => real || (real = require('node:${args.path}'));
        module.exports = new Proxy({}, {
          get: (_target, key) => load()[key],
          has: (_target, key) => key in load(),
          ownKeys: () => Reflect.ownKeys(load()),
          getOwnPropertyDescriptor: (_target, key) => { const d = Object.getOwnPropertyDescriptor(load(), key); return d && { ...d, configurable: true }; },
        });
      `,
      loader: 'js',
    }));
  },
};

// Chunk names carry content hashes: without this, every rebuild would leave the last build's chunks behind.
await rm(`${dist}bundle`, { recursive: true, force: true });

await build({
  entryPoints: { cli: `${dist}daemon/cli.js`, samplerWorker: `${dist}daemon/health/samplerWorker.js` },
  outdir: `${dist}bundle`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Bundled CommonJS dependencies call require(); in an ES module it has to be made.
  banner: { js: "import { createRequire as __voicehubRequire } from 'node:module'; const require = __voicehubRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
  charset: 'ascii',
  plugins: [noOpenTelemetry, quietDebug, lazyTls],
  define: { VOICEHUB_FOLDABLE: foldable },
});

/**
 * In the start script, `import()` goes back to the ES-module CLI (see daemon/core/importEsm.ts): the loader
 * passes its own `(href) => import(href)` as the wrapper's `__voicehubImport`.
 */
const importThroughLoader: Plugin = {
  name: 'import-through-loader',
  setup(b) {
    b.onLoad({ filter: /[\\/]daemon[\\/]core[\\/]importEsm\.js$/ }, () => ({
      contents: 'export function importEsm(href) { return __voicehubImport(href); }',
      loader: 'js',
    }));
  },
};

/**
 * The start script (dist/bundle/start.vm.js): what `voicehub start` runs, the daemon's whole start path as
 * ONE classic script, so daemon/main/startScript.ts can compile it with `vm.Script` and a V8 code cache
 * (Node 20 gives ES modules none). It is a function expression the loader calls with require, module,
 * exports, __filename, __dirname and the import hook; `import.meta.url` becomes the script's own URL (it sits
 * in dist/bundle beside cli.js, so `../../package.json` and `./samplerWorker.js` resolve as from there).
 * What the ES-module build loads on demand stays lazy: esbuild wraps each such module in a function that
 * runs at its first `import()` (turned into a require, so no `import()` is left for V8 to compile). The first
 * line names the script's content hash: the code cache is keyed by it, as V8 itself checks only the length.
 */
const startScript = `${dist}bundle/start.vm.js`;
await build({
  entryPoints: [`${dist}daemon/main.js`],
  outfile: startScript,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
  // Only for a cloud request (undici, 739 KB) or an external broker (mqtt and its sockets, some 300 KB), both
  // after `listening`: required from node_modules then, rather than kept as source V8 holds and pre-parses.
  external: ['undici', 'mqtt'],
  define: { 'import.meta.url': '__voicehubImportMetaUrl', VOICEHUB_FOLDABLE: foldable },
  banner: { js: "(function (require, module, exports, __filename, __dirname, __voicehubImport) {'use strict';\nvar __voicehubImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
  charset: 'ascii',
  plugins: [noOpenTelemetry, quietDebug, lazyTls, importThroughLoader],
});
{
  const body = await readFile(startScript, 'latin1');
  if (/\bimport\(/.test(body)) throw new Error('the start script must hold no import(): compiled from a code cache it throws on Node 20');
  const hash = createHash('sha256').update(body, 'latin1').digest('hex');
  await writeFile(startScript, `//voicehub-start ${hash}\n${body}`, 'latin1');
}

const outputs = (await readdir(`${dist}bundle`)).filter((f) => f.endsWith('.js'));
const notAscii: string[] = [];
for (const file of outputs) {
  const text = await readFile(`${dist}bundle/${file}`, 'utf8');
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) notAscii.push(`${file}: …${text.slice(Math.max(0, at - 40), at + 20)}…`);
}
if (notAscii.length > 0) {
  throw new Error(`the bundle must be ASCII (write non-ASCII characters in regular expressions as \\u escapes):\n${notAscii.join('\n')}`);
}
