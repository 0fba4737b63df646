import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './daemon.js';

/** One HTTP route as the hub's source registers it, with the scope its handler asks for (null: none). */
export interface SourceRoute { method: string; path: string; needs: string | null; file: string }

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'build' || e.name === 'ui' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Every route registered with a literal method and path (`http.route('GET', '/api/devices', …)`) anywhere under
 * daemon/, read from the source, so a security test built on it covers a new route without being edited (or
 * fails, when the route needs a request body it does not know). The scope is the one `requireScope(…, 'x')` in
 * the registration's own text (up to the next route). Page assets, registered in a loop over dist/page, are
 * not literal and not here: they are public files, attacked by the traversal test.
 */
export function sourceRoutes(): SourceRoute[] {
  const routes: SourceRoute[] = [];
  for (const file of sources(join(REPO_ROOT, 'daemon'))) {
    const text = readFileSync(file, 'utf8');
    const found = [...text.matchAll(/\.route\(\s*'([A-Z]+)'\s*,\s*'([^']+)'/g)];
    found.forEach((m, i) => {
      const body = text.slice(m.index, found[i + 1]?.index ?? text.length);
      const scope = /requireScope\([^)]*?'([a-z:]+)'\s*\)/.exec(body);
      routes.push({ method: m[1]!, path: m[2]!, needs: scope ? scope[1]! : null, file: relative(REPO_ROOT, file) });
    });
  }
  return routes;
}
