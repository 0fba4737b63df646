import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Build step (`npm run build`, after tsc and the schemas): bundles the compiled daemon and its dependencies
 * into dist/bundle/ (cli.js, the sampler worker, and chunks for what the CLI loads on demand). Node then
 * reads a handful of files at start instead of some 400 modules: start → listening drops by about a third
 * (the bench measures it), which is what a Pi restarted by systemd waits for.
 *
 * Not bundled: the plugins (loaded from dist/plugins by path, as third-party ones are), and modules loaded
 * with createRequire (systeminformation in the worker, Ajv for plugin config schemas, node-cron), which
 * stay in node_modules.
 */
const dist = fileURLToPath(new URL('../../', import.meta.url));

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
});
