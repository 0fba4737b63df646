import { HubError } from '../core/errors.js';

/**
 * Finds the plugin whose code is on a call stack (and logs that it tried to exit): its id, or null when no
 * plugin's frame is on the stack. The throw that follows is counted where it lands (the plugin's guard).
 */
export type ExitClaimer = (stack: string, code: unknown) => string | null;

const claimers = new Set<ExitClaimer>();
let original: { exit: typeof process.exit; reallyExit: (code?: number) => never } | null = null;

/**
 * Issue 11: `process.exit(0)` in an in-process plugin stopped the hub with exit code 0 and no log line, so
 * systemd's Restart=on-failure left it down. While a plugin host runs, `process.exit` (and the internal
 * `process.reallyExit` behind it) called with a plugin's code on the stack throws PLUGIN_FAILED instead:
 * the plugin's call fails like any other throw, the host logs and counts it, and the hub goes on. The hub's
 * own exits (shutdown, a crash) have no plugin frame on their stack and exit as before.
 *
 * This catches accidents, not malice: an in-process plugin is trusted code and could restore the original
 * (see the README's trust model; `isolation: process` is the containment). Returns the uninstaller.
 */
export function guardProcessExit(claim: ExitClaimer): () => void {
  claimers.add(claim);
  if (!original) {
    const proc = process as unknown as { exit: typeof process.exit; reallyExit: (code?: number) => never };
    original = { exit: proc.exit, reallyExit: proc.reallyExit };
    const saved = original;
    proc.exit = function exit(code?: number | string | null) {
      refuseFromPlugin(code);
      return saved.exit.call(process, code);
    } as typeof process.exit;
    proc.reallyExit = function reallyExit(code?: number) {
      refuseFromPlugin(code);
      return saved.reallyExit.call(process, code);
    } as (code?: number) => never;
  }
  return () => {
    claimers.delete(claim);
    if (claimers.size === 0 && original) {
      const proc = process as unknown as { exit: typeof process.exit; reallyExit: (code?: number) => never };
      proc.exit = original.exit;
      proc.reallyExit = original.reallyExit;
      original = null;
    }
  };
}

function refuseFromPlugin(code: unknown): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64; // a plugin's frame may sit under a few of its own helpers
  const stack = new Error('process.exit').stack ?? '';
  Error.stackTraceLimit = limit;
  for (const claim of claimers) {
    const plugin = claim(stack, code);
    if (plugin) {
      throw new HubError('PLUGIN_FAILED', `plugin ${plugin} called process.exit(${code === undefined ? '' : String(code)}); a plugin cannot stop the hub`,
        { details: { plugin, exitCode: code ?? null } });
    }
  }
}
